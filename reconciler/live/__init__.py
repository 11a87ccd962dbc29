"""The live state: the account as the API shows it, in the catalog's types.

`fetch_live(reader, desired, kinds)` is the entry point; `identity` says how live objects
are recognised as declared resources.
"""

from reconciler.live.fetch import COLLECTION, fetch_live, fingerprint, with_dependencies

__all__ = ["COLLECTION", "fetch_live", "fingerprint", "with_dependencies"]
