"""Where things are in a firm's folder: the names every layer agrees on."""

RECORDS = "records"
CLIENTS_DIR = "records/clients"
KEYS_DIR = "records/.keys"
MEMBERS_FILE = "members.yaml"
ROTATION_MARKER = "rotation-in-progress"  # local only: never committed (.gitignore, the hook)
RETIRED_KEYS_FILE = "retired-keys.txt"
RETIRED_FILE = "records/retired.yaml"
DEMO_IDENTITY_FILE = "DEMO-IDENTITY.txt"
# What `baodan find`/`clients` look through, encrypted; local only, never committed (.gitignore).
LOOKUP_CACHE_FILE = ".baodan-cache/lookup.age"
