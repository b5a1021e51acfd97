"""Compiled theme templates, shared by the Jinja environments of a build and kept between
`baodan serve`'s rebuilds.

MkDocs makes a new Jinja environment for each build (``config.theme.get_env()``), and the
portal and client page shells each make one more: each compiled base.html and its partials
again, and a serve rebuild compiled all of them anew (69 templates: a second of a profiled
rebuild). Jinja's bytecode cache hands an environment the compiled code of a template whose
source is unchanged (it keeps a checksum of the source), so an edited template is compiled
again. Template code only, no record data, and in memory only.
"""

from __future__ import annotations

from jinja2.bccache import Bucket, BytecodeCache


class CompiledTemplates(BytecodeCache):
    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()

    def use(self, env):
        """The environment ``env``, compiling into (and reusing from) this cache."""
        env.bytecode_cache = self
        return env

    def theme_env(self, config):
        """A new environment of the site's theme (as MkDocs makes one), using this cache."""
        return self.use(config.theme.get_env())
