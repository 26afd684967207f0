from . import test_beneficiary
from . import test_workflow
from . import test_committee_vote
from . import test_decision_dates
from . import test_request_access
from . import test_feedback
from . import test_kanban_load
from . import test_translations
