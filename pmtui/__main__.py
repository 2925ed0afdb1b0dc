from pmtui.cli import main

raise SystemExit(main())
