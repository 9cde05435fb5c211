"""The registry of surface kinds, the twin of :data:`gradtrail.optimizers.OPTIMIZERS`.

A kind is one module that owns its spec fields, how it is built and costed, its graph for
the backward pass and its page form (a :class:`~gradtrail.surfaces.SurfaceKind`); the
spec's enum and schema, the API's catalogue, the page's form, backprop, data views,
sweeps and figures ask this registry and switch on no id. Adding a kind is its module,
one line here and its texts in ``locales/en.json`` and ``ja.json``; adding a built-in
test function is one entry in :data:`gradtrail.surfaces.BUILTIN_SURFACES`.
"""

from __future__ import annotations

from collections.abc import Mapping

from gradtrail.chain import CHAIN
from gradtrail.formula import FORMULA
from gradtrail.network_kind import NETWORK
from gradtrail.neuron import NEURON
from gradtrail.regression import LINE_FIT
from gradtrail.surfaces import BUILTIN_SURFACES, SurfaceKind, builtin_kind
from gradtrail.texts import LANGUAGES, add_texts


def registry(*kinds: SurfaceKind) -> dict[str, SurfaceKind]:
    """Kinds by id, in the order the page lists them; an id is registered once."""
    by_id = {kind.id: kind for kind in kinds}
    assert len(by_id) == len(kinds), "a surface kind id is registered twice"
    return by_id


SURFACE_KINDS: dict[str, SurfaceKind] = registry(
    *map(builtin_kind, BUILTIN_SURFACES.values()),
    LINE_FIT,
    NEURON,
    CHAIN,
    NETWORK,
    FORMULA,
)


def data_kinds() -> tuple[str, ...]:
    """The kinds fitted to samples: they take data and minibatches."""
    return tuple(kind.id for kind in SURFACE_KINDS.values() if kind.data is not None)


def register(kind: SurfaceKind, texts: Mapping[str, Mapping[str, str]]) -> None:
    """Add ``kind`` to the registry with its texts in every language (a plug-in's, a
    test's): from then on the API lists it, specs accept its id, the page shows it.

    Its fields must be fields a spec already has (the kinds above declare them); a kind
    with fields of its own is registered above, before specs are built.
    """
    from gradtrail.spec import SurfaceSpec

    if kind.id in SURFACE_KINDS:
        raise ValueError(f"the surface kind {kind.id!r} is registered already")
    unknown = set(kind.fields.model_fields) - set(SurfaceSpec.model_fields)
    if unknown:
        raise ValueError(f"fields no spec has: {', '.join(sorted(unknown))}")
    missing = [lang for lang in LANGUAGES if lang not in texts]
    if missing:
        raise ValueError(f"texts missing in {', '.join(missing)}")
    for lang in LANGUAGES:
        add_texts(lang, texts[lang])
    SURFACE_KINDS[kind.id] = kind
