from screen.cli import main

raise SystemExit(main())
