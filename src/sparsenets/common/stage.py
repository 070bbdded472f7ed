"""The keys a stage reads and writes, declared next to its function in the family's stages.py.

    @stage(inputs="data", outputs="run", params="depth eta steps")
    def train(inputs, outputs, params): ...

Keys are separated by spaces; a trailing "?" marks an optional key. The CLI lists the keys in
`python -m sparsenets <family> <stage> --help` and rejects a call with a missing or unknown key,
naming it. Calling the function directly (tests) checks nothing.
"""

from dataclasses import dataclass

# params=SECTION: the family's whole config section, whose schema the workflow checks at start-up.
SECTION = None


@dataclass(frozen=True)
class Keys:
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    params: tuple[str, ...] | None  # SECTION: not checked here

    def problem(self, inputs: dict, outputs: dict, params: dict) -> str | None:
        """The first missing or unknown key, as one line; None when the call matches."""
        checks = [("--in", self.inputs, inputs), ("--out", self.outputs, outputs)]
        if self.params is not SECTION:
            checks.append(("--params", self.params, params))
        for flag, declared, given in checks:
            known = {k.rstrip("?") for k in declared}
            for key in declared:
                if not key.endswith("?") and key not in given:
                    return f"missing {flag} key {key!r}"
            for key in given:
                if key not in known:
                    return (
                        f"unknown {flag} key {key!r} (known: {', '.join(sorted(known)) or 'none'})"
                    )
        return None


def stage(inputs: str = "", outputs: str = "", params: str | None = ""):
    """Attach the declared keys to a stage function as `fn.keys`."""

    def declare(fn):
        fn.keys = Keys(
            tuple(inputs.split()),
            tuple(outputs.split()),
            SECTION if params is SECTION else tuple(params.split()),
        )
        return fn

    return declare
