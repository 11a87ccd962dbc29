"""The live state: the account as the API shows it, in the catalog's types.

`fetch_live(reader, desired, kinds, seen)` is the entry point; `identity` says how live
objects are recognised as declared resources; `seen` keeps an environment's record of
what its account was seen to hold, so that an empty list is not taken for an empty kind.
"""

from reconciler.live.fetch import fetch_live, fingerprint
from reconciler.live.seen import Seen, load_seen, save_seen, seen_path

__all__ = [
    "Seen",
    "fetch_live",
    "fingerprint",
    "load_seen",
    "save_seen",
    "seen_path",
]
