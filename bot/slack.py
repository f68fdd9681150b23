"""Slack Web API clients: every one goes to `SLACK_API_URL`."""

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings


def make_client(settings: Settings) -> WebClient:
    client = WebClient(token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client
