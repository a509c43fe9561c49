"""call_definition: calls, timelines, participating regions and their rules; publishes call.* events."""
