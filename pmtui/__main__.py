from pmtui.launch import main

raise SystemExit(main())
