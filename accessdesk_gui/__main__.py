from accessdesk_gui.cli.main import main

raise SystemExit(main())
