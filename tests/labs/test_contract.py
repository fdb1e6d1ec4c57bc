"""One error shape for every lab: a stray field is named as itself, whatever the lab."""

from __future__ import annotations

import pytest

from algorithms.engine import CommandError
from labs.registry import LABS


def every_command() -> list[tuple[str, str]]:
    return [(lab.slug, action) for lab in LABS for action in lab.engine_class().COMMANDS]


@pytest.mark.parametrize(("slug", "action"), every_command(), ids=lambda v: str(v))
def test_a_stray_field_is_refused_naming_it(slug: str, action: str) -> None:
    engine_class = LABS[slug].engine_class()
    params = engine_class.Params()
    engine = engine_class(params, 1)
    if slug == "consistent-hashing" and action in ("set_migration", "set_keys_per_tick"):
        engine = engine_class(engine_class.Params(mode="slots"), 1)
    with pytest.raises(CommandError) as err:
        engine.apply({"action": action, "zzz_stray": 1})
    assert err.value.field == "zzz_stray", (slug, action, str(err.value))
    assert f"is not a field of {action} (it takes" in err.value.rule
