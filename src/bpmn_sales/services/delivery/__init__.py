"""What leaves the product: in-app notices, the mail outbox sent over SMTP, signed webhooks."""

from bpmn_sales.services.delivery.send import MAX_ATTEMPTS, backoff, deliver_due, deliver_pass

__all__ = ["MAX_ATTEMPTS", "backoff", "deliver_due", "deliver_pass"]
