"""/llms.txt and /llms-full.txt (service.llms): plain text, at the root like /robots.txt,
served through the per-revision cache with ETag and 304 like the embeds, whatever the
Accept header (a crawler asking for text/plain must not get a 406)."""

from typing import Any

from fastapi import APIRouter, Response

from service.api.reply import ReplyDep
from service.apidocs import committed_document
from service.errors import problem_responses
from service.llms import llms_full_txt, llms_txt

router = APIRouter(tags=["llms"])

TEXT = "text/plain; charset=utf-8"


def _text(description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **problem_responses(400, 503),
    }


@router.get(
    "/llms.txt",
    operation_id="getLlmsTxt",
    summary="A plain-text guide to the API for language models",
    description="The llms.txt convention (https://llmstxt.org): how a count is published "
    "and quoted (exact, range, at least n, words; disputed, derived, citations; never added "
    "across disclosures), the MCP endpoint and its instructions, and every operation with "
    "its summary. Built from the committed OpenAPI document.",
    response_class=Response,
    responses=_text("The guide, as markdown-flavoured plain text."),
)
def get_llms_txt(reply: ReplyDep) -> Response:
    return reply.raw(lambda: llms_txt(committed_document()).encode(), TEXT)


@router.get(
    "/llms-full.txt",
    operation_id="getLlmsFullTxt",
    summary="The plain-text guide with every operation's description and parameters",
    description="/llms.txt with each operation's description and parameters (their types "
    "and allowed values), from the committed OpenAPI document.",
    response_class=Response,
    responses=_text("The full guide, as markdown-flavoured plain text."),
)
def get_llms_full_txt(reply: ReplyDep) -> Response:
    return reply.raw(lambda: llms_full_txt(committed_document()).encode(), TEXT)
