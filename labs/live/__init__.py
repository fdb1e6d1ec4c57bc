"""The live protocol's parts: message checks, frame encoding and play pacing.

``labs.consumers.LabConsumer`` adapts one websocket to one timeline with these.
"""
