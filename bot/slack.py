"""Slack Web API clients: every one goes to `SLACK_API_URL`."""

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings


def make_client(settings: Settings) -> WebClient:
    """The client of listeners and rituals: it waits out a 429 (twice at most) like any Slack app."""
    client = WebClient(token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def make_sender_client(settings: Settings) -> WebClient:
    """The outbox sender's client retries nothing by itself: the sender decides, and checks Slack before
    any resend, so a retried request can never post a message twice."""
    return WebClient(
        token=settings.secret("SLACK_BOT_TOKEN"),
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[],
    )
