"""The optional model-backed direction judge: an OpenAI-compatible chat-completions endpoint.

``prompt`` builds requests and checks answers (pure); ``client`` sends them (paced, bounded,
retried, the key kept to its origin). The judge that uses them, with its cache of answers
and its fallback to the rules, is ``evidence.grading.judges``. See docs/grading.md.
"""

from evidence.modeljudge.client import ChatClient
from evidence.modeljudge.prompt import PROMPT_VERSION, Answer, ChatRequest, build_request, read_answer, reply_content

__all__ = ["ChatClient", "PROMPT_VERSION", "Answer", "ChatRequest", "build_request", "read_answer", "reply_content"]
