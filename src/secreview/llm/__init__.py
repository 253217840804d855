"""Optional LLM reviewer: bring your own model, keep the static verdicts.

With `--llm`, each analysed file is sent (secrets redacted, line-numbered,
in chunks) to a chat model you choose, through the OpenAI chat-completions
or the Anthropic Messages protocol.  What the model claims is verified
against the code before it is reported (verify.py); static findings stay
whatever the model says.  Without `--llm` nothing here sends anything.

    config.py    settings: [tool.secreview.llm] under --llm-* flags
    redact.py    secrets out before code leaves the machine
    chunking.py  files cut into line-numbered chunks
    prompts.py   our prompt, versioned, and the reply schema
    client.py    standard-library HTTP client for both protocols
    cache.py     replies cached by (chunk, prompt version, model)
    verify.py    claims checked; annotations for static findings
    review.py    the procedure that ties them together
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence

from secreview.llm import config
from secreview.llm.config import PROTOCOLS, ConfigError, LlmConfig
from secreview.llm.prompts import PROMPT_VERSION
from secreview.model import Analysis
from secreview.sources import SourceFile

__all__ = ["PROMPT_VERSION", "ConfigError", "LlmConfig", "add_arguments", "config_from_args", "flags_given", "run"]

# LlmConfig fields that have a flag; each flag's argparse dest is llm_<field>.
_FLAG_FIELDS = ("protocol", "base_url", "model", "api_key_env", "timeout", "max_calls", "max_tokens",
                "jobs", "chunk_lines", "cache", "cache_dir")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "LLM reviewer (optional)",
        "A chat model as a second reviewer; its claims are verified before they are reported and it never "
        "removes a static finding. Nothing is sent anywhere unless --llm is given. Settings also come from "
        "[tool.secreview.llm] in pyproject.toml; flags win.")
    group.add_argument("--llm", action="store_true", help="review with the configured model too")
    group.add_argument("--llm-protocol", choices=PROTOCOLS,
                       help="openai (chat completions: OpenAI, vLLM, llama.cpp, Ollama, ...) or anthropic")
    group.add_argument("--llm-base-url", metavar="URL",
                       help="server URL (default: http://127.0.0.1:11434/v1 for openai, "
                            "https://api.anthropic.com for anthropic)")
    group.add_argument("--llm-model", metavar="NAME", help="model name as the server knows it")
    group.add_argument("--llm-api-key-env", metavar="VAR",
                       help="name of the environment variable holding the API key ('' for none)")
    group.add_argument("--llm-timeout", type=float, metavar="SECONDS", help="per request (default 120)")
    group.add_argument("--llm-max-calls", type=int, metavar="N",
                       help="most HTTP requests per run, retries included (default 100)")
    group.add_argument("--llm-max-tokens", type=int, metavar="N", help="reply tokens per call (default 4096)")
    group.add_argument("--llm-jobs", type=int, metavar="N", help="concurrent requests (default 1)")
    group.add_argument("--llm-chunk-lines", type=int, metavar="N",
                       help="files up to N lines go whole, larger ones by function/class (default 300)")
    group.add_argument("--llm-cache-dir", metavar="DIR",
                       help="reply cache (default: $XDG_CACHE_HOME/secreview/llm)")
    group.add_argument("--llm-no-cache", dest="llm_cache", action="store_const", const=False,
                       help="neither read nor write the reply cache")


def flags_given(args: argparse.Namespace) -> bool:
    """True when some --llm-* option was set (it does nothing without --llm)."""
    return any(getattr(args, f"llm_{name}", None) is not None for name in _FLAG_FIELDS)


def config_from_args(args: argparse.Namespace, file_values: Mapping[str, object]) -> LlmConfig:
    """Settings from the configuration file's LLM table (`file_values`), overridden by flags."""
    flag_values = {name: getattr(args, f"llm_{name}", None) for name in _FLAG_FIELDS}
    return config.resolve(file_values, flag_values)


def run(analysis: Analysis, sources: Sequence[SourceFile], llm_config: LlmConfig,
        environ: Mapping[str, str]) -> tuple[Analysis, list[str]]:
    """The model's verified findings and annotations merged into `analysis` (before triage), plus notes."""
    # Imported here, not at the top: a run without --llm never even loads the HTTP client.
    from secreview.llm import client, review
    from secreview.llm.cache import ReplyCache

    key = config.api_key(llm_config, environ)  # may raise ConfigError before anything is sent
    remote = not config.is_loopback(llm_config.endpoint)
    endpoint = config.endpoint_label(llm_config.endpoint) if remote else None
    budget = client.CallBudget(llm_config.max_calls)
    http = client.HttpChatClient(
        llm_config.protocol, llm_config.endpoint, llm_config.model, key, timeout=llm_config.timeout,
        max_retries=llm_config.max_retries, retry_delay=llm_config.retry_delay, budget=budget)
    reviewer = review.Reviewer(
        client=http, cache=ReplyCache(config.cache_dir(llm_config, environ)), budget=budget,
        protocol=llm_config.protocol, model=llm_config.model, endpoint=endpoint,
        max_tokens=llm_config.max_tokens, chunk_lines=llm_config.chunk_lines, jobs=llm_config.jobs)
    merged = review.review(analysis, sources, reviewer)
    notes = []
    if endpoint is not None:
        notes.append(f"LLM review: code was sent to {endpoint} (model {llm_config.model}) "
                     f"after redacting {merged.llm.redactions} secret(s)")
    return merged, notes

