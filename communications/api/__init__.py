"""The workbench's REST API: communications, call actions, promises, disputes, to-dos, entry
statuses and notes, the configurable lists and notifications (registered in creditcontrol.api)."""
