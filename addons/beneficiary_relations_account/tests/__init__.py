from . import test_allocation
from . import test_auto_allocate
from . import test_accounting
from . import test_access
from . import test_balance_queries
from . import test_translations
from . import test_donor_statement
from . import test_screens
