"""Actor coding: every mention of a state, leader, institution or group becomes a dated CAMEO actor code.

Public API: :class:`ActorCoder` (``from transforms.coding.actors import ActorCoder``).
"""
from transforms.coding.actors.coder import ActorCoder

__all__ = ["ActorCoder"]
