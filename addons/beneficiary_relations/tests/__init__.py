from . import test_policy_smoke
