"""The catalogue of texts: both languages hold the same keys, every key is used, and the
engine's figures, names and lessons come out in the language asked for."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from gradtrail import figures, run
from gradtrail.axes import DATA_AXES, axis_word_key, sweepable_axes
from gradtrail.catalog import describe_data_form, list_optimizers, list_surfaces
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.optimizers import OPTIMIZERS
from gradtrail.plane import PlaneKind
from gradtrail.presets import PRESETS, SWEEP_PRESETS
from gradtrail.schedules import SCHEDULE_PARAMS
from gradtrail.stationary import StationaryWord
from gradtrail.stopping import StatusWord
from gradtrail.surfaces import SurfaceKind
from gradtrail.texts import (
    LANGUAGES,
    PLACEHOLDER,
    hyperparam_key,
    hyperparam_label_key,
    lesson_key,
    messages,
    optimizer_key,
    pick_language,
    schedule_key,
    surface_key,
    surface_param_key,
    text,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "static" / "js").glob("*.js")),
    *sorted((ROOT / "templates").glob("*.html")),
    *sorted((ROOT / "engine").rglob("*.py")),
    *sorted((ROOT / "app").rglob("*.py")),
]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def form(kind: SurfaceKind) -> dict:
    """The data box the catalogue describes for ``kind``."""
    return describe_data_form(kind.data, "en")


def registry_keys() -> set[str]:
    """The keys built from ids of registered things (each must exist, and may be unused
    as a literal)."""
    keys = {kind.name_key for kind in SURFACE_KINDS.values()}
    keys.add(f"{surface_key('regression')}.standardized")
    keys |= {surface_param_key(k.id, p.name) for k in SURFACE_KINDS.values() for p in k.params}
    for kind in SURFACE_KINDS.values():  # catalog.surface_name, describe_kind; figures
        keys |= {f"{kind.name_key}.under" for _ in kind.menus[:1]}
        for menu in kind.menus:
            keys |= {menu.label, *(f"{menu.choice_texts}.{c}" for c in menu.choices)}
        keys |= set(kind.axes or ())
        if kind.data is not None:
            keys |= {f"figure.data_{kind.data.view}", kind.data.csv_label, kind.data.generated}
            keys |= {f"{kind.data.generator}.{field['name']}" for field in form(kind)["fields"]}
    for optimizer in OPTIMIZERS.values():
        keys.add(optimizer_key(optimizer.id))
        keys |= {hyperparam_key(optimizer.id, hp.name) for hp in optimizer.params}
        keys |= {hyperparam_label_key(optimizer.id, hp.name) for hp in optimizer.params}
        keys |= {axis_word_key(optimizer.id, name) for name in sweepable_axes(optimizer)}
    for preset in [*PRESETS.values(), *SWEEP_PRESETS.values()]:
        keys |= {lesson_key(preset.id, "title"), lesson_key(preset.id, "caption")}
    keys |= {schedule_key(kind) for kind in SCHEDULE_PARAMS}
    keys |= {f"language_{lang}" for lang in LANGUAGES}
    keys |= {"scale_linear", "scale_log"}  # sweep-controls.js: t(`scale_${value}`)
    keys |= set(get_args(StatusWord))  # summary.js and sweep.js: t(status)
    keys |= {f"stationary.{word}" for word in get_args(StationaryWord)}  # status-words.js
    keys |= {f"plane.kind.{kind}" for kind in get_args(PlaneKind)}  # plane-info.js
    return keys


def test_every_language_has_every_key_with_the_same_placeholders() -> None:
    english = messages("en")
    for lang in LANGUAGES:
        catalogue = messages(lang)
        assert set(catalogue) == set(english), lang
        for key, value in catalogue.items():
            assert value.strip(), (lang, key)
            assert set(PLACEHOLDER.findall(value)) == set(PLACEHOLDER.findall(english[key])), key


def test_every_registered_thing_has_its_texts() -> None:
    assert registry_keys() <= set(messages("en"))


def test_lesson_run_labels_name_runs_that_exist() -> None:
    for key in messages("en"):
        match = re.fullmatch(r"lesson\.([\w-]+)\.run(\d+)", key)
        if match:
            preset = PRESETS[match[1]]
            assert int(match[2]) < len(preset.spec["optimizers"]), key


def test_no_key_is_unused() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)
    assert "`error.${item.type}`" in source  # field-errors.js looks 422 kinds up by type
    dynamic = registry_keys()
    unused = [
        key
        for key in messages("en")
        if key not in dynamic
        and not key.startswith("error.")
        and not re.match(r"lesson\.[\w-]+\.run\d+$", key)
        and not re.search(rf"""["'`]{re.escape(key)}["'`]""", source)
    ]
    assert unused == []


def test_the_japanese_catalogue_is_japanese_and_the_english_one_is_not() -> None:
    english, japanese = messages("en"), messages("ja")
    assert not [
        key for key, value in english.items() if JAPANESE.search(value) and key != "language_ja"
    ]
    # Every sentence (more than a name or a symbol) reads in Japanese.
    sentences = [key for key, value in english.items() if len(re.findall(r"[a-z]{3,}", value)) >= 2]
    assert not [key for key in sentences if not JAPANESE.search(japanese[key])]


# The terms a Japanese course on backpropagation and optimizers uses, each somewhere in the
# page's Japanese; words it does not use for these things, nowhere.
COURSE_TERMS = (
    "活性化関数", "シグモイド関数", "連鎖律", "偏微分", "数値微分", "確率的勾配降下法",
    "エポック", "教師データ", "ハイパーパラメータ", "学習率", "誤差逆伝播法",
)  # fmt: skip
NOT_USED = {
    "点数": "reads as a score: a number of points is 点の数",
    "逆伝播パネル": "the panel is named 「誤差逆伝播」, as its button says",
}


def test_the_japanese_texts_use_the_courses_terms() -> None:
    every = "\n".join(messages("ja").values())
    assert [term for term in COURSE_TERMS if term not in every] == []
    assert {word: why for word, why in NOT_USED.items() if word in every} == {}


def test_japanese_notes_take_full_width_brackets_and_maths_half_width() -> None:
    """A note in Japanese prose is written （…）; a formula or a pair, (…): one kind each.
    A half-width pair holding Japanese with nothing of a formula in it is a note."""
    formula = re.compile(r"[=+−×/,·²√∂ΣΔ]")
    notes = [
        (key, found)
        for key, value in messages("ja").items()
        for found in re.findall(r"\(([^()]*)\)", value)
        if JAPANESE.search(found) and not formula.search(found)
    ]
    assert notes == []


@pytest.mark.parametrize(
    ("asked", "accept", "chosen"),
    [
        ("ja", None, "ja"),
        ("en", "ja", "en"),
        (None, "ja-JP,ja;q=0.9,en-US;q=0.8", "ja"),
        (None, "en-US,en;q=0.9,ja;q=0.8", "en"),
        (None, "fr-FR, ja;q=0.5", "ja"),
        (None, "ja;q=0.2, en;q=0.7", "en"),
        (None, "fr, de", "en"),
        ("xx", None, "en"),
        (None, "ja;q=0", "en"),
        (None, "ja;q=banana", "en"),
        ("x" * 100, "ja," + "y" * 5000, "ja"),  # any length falls back, never fails
        (None, "fr," * 1000 + "ja", "en"),  # ja past the first dozen entries is not read
    ],
)
def test_the_language_is_the_asked_one_else_the_browsers(asked, accept, chosen) -> None:
    assert pick_language(asked, accept) == chosen


def test_every_hyperparameter_has_a_name_in_the_learners_words() -> None:
    """The page writes 学習率 / learning rate, with torch's ``lr`` beside it."""
    for lang, words in (("en", "learning rate"), ("ja", "学習率")):
        for optimizer in list_optimizers(lang):
            for param in optimizer["params"]:
                assert param["label"] and param["label"] != param["name"], param
                assert param["label"] != param["help"], param
            lr = next(p for p in optimizer["params"] if p["name"] == "lr")
            assert lr["label"] == words, (lang, optimizer["id"], lr["label"])
    adamw = {
        p["name"]: p["label"]
        for p in next(o for o in list_optimizers("ja") if o["id"] == "adamw")["params"]
    }
    assert adamw["weight_decay"] == "重み減衰"  # AdamW's own: decoupled, not an L2 penalty


def test_every_sweep_axis_has_the_run_forms_words() -> None:
    """The sweep's axis menus and heatmap titles name an axis as the run form does
    (学習率 / learning rate, バッチサイズ), a pair's half by its own symbol (β₁)."""
    for lang in LANGUAGES:
        for optimizer in list_optimizers(lang):
            words = optimizer["axis_words"]
            assert list(words) == [*optimizer["sweep_axes"], *DATA_AXES], optimizer["id"]
            assert all(word and word != name for name, word in words.items()), words
            for param in optimizer["params"]:
                if param["kind"] == "float":  # the very label the run form shows
                    assert words[param["name"]] == param["label"], (lang, param)
            assert words["start.x"] == text("start_x", lang)
            assert words["batch_size"] == text("batch_size", lang)
    adam = next(o for o in list_optimizers("ja") if o["id"] == "adam")["axis_words"]
    assert adam["lr"] == "学習率" and "β₁" in adam["betas[0]"] and "β₂" in adam["betas[1]"]
    assert JAPANESE.search(adam["betas[0]"]) and adam["batch_size"] == "バッチサイズ"


def test_names_help_and_lessons_come_in_the_language_asked_for() -> None:
    optimizers = {o["id"]: o for o in list_optimizers("ja")}
    assert optimizers["gd"]["name"] == "勾配降下法"
    assert optimizers["momentum"]["name"] == "モーメンタム"
    assert optimizers["adam"]["params"][0]["help"] == "学習率 η"
    assert {o["id"]: o for o in list_optimizers("en")}["gd"]["name"] == "Gradient descent"
    assert {s["id"]: s for s in list_surfaces("ja")}["regression"]["name"].startswith("直線")
    minibatch = PRESETS["minibatch"]
    assert minibatch.title("ja") == "ミニバッチのノイズ"
    labels = [entry["label"] for entry in minibatch.localized("ja")["optimizers"]]
    assert labels == ["SGD、バッチ 1", "SGD、バッチ 16", "バッチ全体"]
    assert [entry.get("label") for entry in minibatch.spec["optimizers"]] == [None] * 3


def test_figures_and_default_labels_follow_the_result_language() -> None:
    spec = {"surface": {"id": "regression"}, "steps": 5,
            "optimizers": [{"id": "gd", "params": {"lr": 0.1}, "batch_size": 4}]}  # fmt: skip
    japanese = run(spec, lang="ja")
    assert japanese.runs[0].info.label == "勾配降下法 (lr=0.1)、バッチ 4"
    contour = figures.contour(japanese)
    assert contour.layout.title.text == text("surface.regression", "ja")
    assert contour.layout.xaxis.title.text == "w（重み・傾き）"
    loss = figures.convergence(japanese)
    assert (loss.layout.title.text, loss.layout.xaxis.title.text) == (
        "ステップごとの損失",
        "ステップ",
    )
    english = run(spec)
    assert english.runs[0].info.label == "Gradient descent (lr=0.1), batch 4"
    assert figures.convergence(english).layout.title.text == "Loss per step"
    assert english.runs[0].x.tolist() == japanese.runs[0].x.tolist()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_catalogue_holds_a_key_twice(lang: str) -> None:
    """JSON keeps the last of two equal keys without a word: one key held two texts for
    two different states of the step panel, and the first was never shown."""
    import json

    text = (ROOT / "engine" / "locales" / f"{lang}.json").read_text("utf-8")
    keys = json.loads(text, object_pairs_hook=lambda pairs: [key for key, _ in pairs])
    assert sorted({key for key in keys if keys.count(key) > 1}) == []
