"""`mlpc lsp` driven over stdio by pytest-lsp, as an editor drives it.

initialize -> didOpen -> diagnostics -> definition -> references -> rename -> hover ->
completion -> formatting -> didChange -> shutdown, in UTF-16 (VS Code's capabilities) and UTF-8
(Neovim's); then documents that must not stop the server: arbitrary text, a file over
16 MiB, a config file removed while the pipeline is open. Run by tests/lsp.rs with
MLPC set to the binary under test.
"""

import os
import random
import shutil
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

MLPC = os.environ["MLPC"]

PIPELINE = """\
pipeline demo {
  region    = "us-east-1"
  role      = "arn:aws:iam::123456789012:role/R"
  artifacts = "s3://bucket-x/p"
  config    = "config.json"

  param depth: int = 5 { description = "tree depth" }
  image sk = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sk:1"

  step prep: processing {
    image    = sk
    instance = "ml.m5.xlarge"
    code     = "code/job.py"
    args     = ["--label", config.label, "--depth", "${params.depth}", "--end", config.split.train_end]
    out train: dataset<csv>
  }

  step fit: training {
    image    = sk
    instance = "ml.m5.xlarge"
    env      = { NOTE = "été ${prep.train}" }
    in  train = prep.trian
    out model: model
  }
}
"""


def position(text: str, needle: str, offset: int = 0, utf8: bool = False) -> types.Position:
    """The position of `needle` (plus `offset` characters) in the client's encoding."""
    at = text.index(needle) + offset
    line = text.count("\n", 0, at)
    before = text[text.rfind("\n", 0, at) + 1 : at]
    if utf8:
        character = len(before.encode("utf-8"))
    else:
        character = len(before.encode("utf-16-le")) // 2
    return types.Position(line=line, character=character)


@pytest.fixture()
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "job.py").write_text("print(1)\n")
    (tmp_path / "config.json").write_text('{\n  "label": "churned",\n  "split": {"train_end": "2021-12"}\n}\n')
    (tmp_path / "demo.mlp").write_text(PIPELINE)
    return tmp_path


async def start(client: LanguageClient, editor: str) -> types.InitializeResult:
    return await client.initialize_session(types.InitializeParams(capabilities=client_capabilities(editor)))


async def open_document(client: LanguageClient, uri: str, text: str, version: int = 1) -> list[types.Diagnostic]:
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="mlp", version=version, text=text)
        )
    )
    return await diagnostics_of(client, uri)


async def diagnostics_of(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics.pop(uri))


async def change(client: LanguageClient, uri: str, text: str, version: int) -> list[types.Diagnostic]:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return await diagnostics_of(client, uri)


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def definition(client, uri, pos):
    result = await client.text_document_definition_async(types.DefinitionParams(text_document=doc(uri), position=pos))
    return result[0] if isinstance(result, list) else result


async def hover(client, uri, pos):
    return await client.text_document_hover_async(types.HoverParams(text_document=doc(uri), position=pos))


async def completion_labels(client, uri, pos):
    result = await client.text_document_completion_async(types.CompletionParams(text_document=doc(uri), position=pos))
    items = result.items if isinstance(result, types.CompletionList) else result
    return sorted(item.label for item in items)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[MLPC, "lsp"]))
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


@pytest.mark.parametrize("editor", ["visual-studio-code", "neovim"])
@pytest.mark.asyncio
async def test_an_editing_session(client: LanguageClient, project: pathlib.Path, editor: str):
    init = await start(client, editor)
    utf8 = init.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    assert utf8 == (editor == "neovim"), init.capabilities.position_encoding
    uri = (project / "demo.mlp").as_uri()
    text = PIPELINE

    # Diagnostics on open: the mistyped output, with its code and did-you-mean.
    found = await open_document(client, uri, text)
    assert [d.code for d in found] == ["E0202"], found
    assert "did you mean `train`" in found[0].message
    assert found[0].range.start == position(text, "trian", utf8=utf8)

    # Definition: a step, an output (after a non-ASCII string), a param, an image, a config key.
    step = await definition(client, uri, position(text, "prep.trian", 1, utf8))
    assert step.range.start == position(text, "prep: processing", utf8=utf8)
    output = await definition(client, uri, position(text, "prep.train}", 6, utf8))
    assert output.range.start == position(text, "train: dataset", utf8=utf8)
    param = await definition(client, uri, position(text, "params.depth", 8, utf8))
    assert param.range.start == position(text, "depth: int", utf8=utf8)
    image = await definition(client, uri, position(text, "image    = sk", 11, utf8))
    assert image.range.start == position(text, "sk = ", utf8=utf8)
    key = await definition(client, uri, position(text, "config.split.train_end", 15, utf8))
    assert key.uri == (project / "config.json").as_uri()
    config_text = (project / "config.json").read_text()
    assert key.range.start == position(config_text, '"train_end"', utf8=utf8)

    # References and rename: a step's declaration and uses, interpolations included.
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc(uri),
            position=position(text, "prep.trian", 1, utf8),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert [r.range.start for r in refs] == [
        position(text, "prep: processing", utf8=utf8),
        position(text, "prep.train}", utf8=utf8),
        position(text, "prep.trian", utf8=utf8),
    ]
    uses = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc(uri),
            position=position(text, "prep: processing", utf8=utf8),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert len(uses) == 2
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=doc(uri), position=position(text, "depth: int", utf8=utf8), new_name="max_depth")
    )
    edits = edit.changes[uri]
    assert sorted(e.range.start.line for e in edits) == [6, 13] and all(e.new_text == "max_depth" for e in edits)
    with pytest.raises(Exception, match="already names"):
        await client.text_document_rename_async(
            types.RenameParams(text_document=doc(uri), position=position(text, "depth: int", utf8=utf8), new_name="sk")
        )

    # Hover: a param's type, default and description; a config value; an output's type.
    shown = await hover(client, uri, position(text, "params.depth", 9, utf8))
    assert "param depth: int = 5" in shown.contents.value and "tree depth" in shown.contents.value
    shown = await hover(client, uri, position(text, "config.label", 8, utf8))
    assert '"churned"' in shown.contents.value
    shown = await hover(client, uri, position(text, "prep.train}", 6, utf8))
    assert "out train: dataset<csv>" in shown.contents.value

    # Completion: outputs after `STEP.`, params, config keys, kinds, a step's keys.
    editing = text.replace("in  train = prep.trian", "in  train = prep.")
    await change(client, uri, editing, 2)
    assert await completion_labels(client, uri, position(editing, "prep.\n", 5, utf8)) == ["train"]
    editing = text.replace('"--depth", "${params.depth}"', '"--depth", params.')
    await change(client, uri, editing, 3)
    assert await completion_labels(client, uri, position(editing, 'params.,', 7, utf8)) == ["depth"]
    editing = text.replace("config.split.train_end]", "config.split.]")
    await change(client, uri, editing, 4)
    assert await completion_labels(client, uri, position(editing, "config.split.]", 13, utf8)) == ["train_end"]
    editing = text.replace("step fit: training {", "step fit: tr")
    await change(client, uri, editing, 5)
    kinds = await completion_labels(client, uri, position(editing, "step fit: tr", 10, utf8))
    assert "training" in kinds and "tuning" in kinds and "sql" in kinds
    editing = text.replace("    out model: model\n", "    ins\n    out model: model\n")
    await change(client, uri, editing, 6)
    keys = await completion_labels(client, uri, position(editing, "    ins\n", 4, utf8))
    assert {"hyperparameters", "instance", "in", "out", "after", "when"} <= set(keys), keys

    # Formatting: the edits give what `mlpc fmt` gives.
    messy = text.replace("  region    =", "  region =").replace("in  train = prep.trian", "in train=prep.train")
    assert await change(client, uri, messy, 7) == []
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=doc(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True))
    )
    assert len(edits) == 1 and edits[0].range.start == types.Position(line=0, character=0)
    assert edits[0].new_text == text.replace("prep.trian", "prep.train")

    # Symbols: the pipeline, its param, image and steps, each step's outputs.
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(uri)))
    (pipeline,) = symbols
    assert pipeline.name == "demo"
    assert [s.name for s in pipeline.children] == ["depth", "sk", "prep", "fit"]
    assert [s.name for s in pipeline.children[2].children] == ["train"]

    # didChange to the fixed text: the diagnostic goes away.
    assert await change(client, uri, text.replace("prep.trian", "prep.train"), 8) == []


@pytest.mark.asyncio
async def test_bad_documents_never_stop_the_server(client: LanguageClient, project: pathlib.Path):
    await start(client, "visual-studio-code")
    rng = random.Random(7)
    alphabet = "pipeline step { } [ ] ( ) = : , . \" \"\"\" # $ ${ \\ \n\t\r é 😀 \x00 \x7f in out params config"
    for k in range(20):
        garbage = "".join(rng.choice(alphabet.split(" ") + [" "]) for _ in range(rng.randrange(1, 400)))
        uri = (project / f"garbage{k}.mlp").as_uri()
        await open_document(client, uri, garbage)
        for pos in (types.Position(line=0, character=0), types.Position(line=3, character=2)):
            await hover(client, uri, pos)
            await definition(client, uri, pos)
            await completion_labels(client, uri, pos)
        await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(uri)))

    # A file over 16 MiB is not checked, and says so.
    uri = (project / "huge.mlp").as_uri()
    huge = "# " + "x" * (16 * 1024 * 1024 + 10) + "\n"
    found = await open_document(client, uri, huge)
    assert len(found) == 1 and "16 MiB" in found[0].message

    # The config file disappears while the pipeline is open: reported, and hover says so.
    uri = (project / "demo.mlp").as_uri()
    assert [d.code for d in await open_document(client, uri, PIPELINE)] == ["E0202"]
    os.remove(project / "config.json")
    client.diagnostics.pop(uri, None)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=doc(uri)))
    codes = {d.code for d in await diagnostics_of(client, uri)}
    assert "E0208" in codes, codes
    shown = await hover(client, uri, position(PIPELINE, "config.label", 8))
    assert "could not be read" in shown.contents.value

    # Still answering.
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(uri)))
    assert symbols[0].name == "demo"
