from lxml import etree

from odoo.tests import tagged

from .common_request import RequestCase

# What each card of the board shows about the vote, computed for a whole column at once.
VOTE_FIELDS = ("my_vote", "can_vote", "awaiting_my_vote", "is_committee_member", "vote_cast_count", "vote_eligible_count")


@tagged("post_install", "-at_install")
class TestKanbanLoad(RequestCase):
    """The support-request board as the web client loads it: the column headers,
    then each column's cards in one call. A column must cost the same number of
    queries whatever the number of its cards, and its cards must show what each
    card read alone shows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.card_fields, cls.aggregates = cls._kanban_fields()

    @classmethod
    def _kanban_fields(cls):
        """The fields the board reads for its cards, and the aggregates its column
        headers ask for, as the web client derives them from the kanban view."""
        Request = cls.env["beneficiary.request"]
        view = Request.get_views([(False, "kanban")])["views"]["kanban"]
        fields = Request.fields_get(attributes=["type", "aggregator"])
        spec = {}
        for node in etree.fromstring(view["arch"]).iter("field"):
            name = node.get("name")
            if fields[name]["type"] == "many2one":
                invisible = node.get("invisible") in ("1", "True")
                spec[name] = {"fields": {} if invisible else {"display_name": {}}}
            else:
                spec[name] = {}
        aggregates = [f"{name}:{fields[name]['aggregator']}" for name in spec if fields[name].get("aggregator")]
        return spec, aggregates

    def _column(self, count):
        """``count`` requests at the committee: votes cast, a conflict declared, and
        the members' open vote activities, as the committee step leaves them."""
        requests = self.env["beneficiary.request"]
        for index in range(count):
            request = self._advance(self._request(), "committee")
            self._vote(request, self.chair, ("approve", "reject", "abstain")[index % 3])
            if index % 2:
                self._vote(request, self.member_2, "approve")
            else:
                request.with_user(self.member_3).action_declare_conflict()
            requests |= request
        return requests

    def _load_cards(self, user, requests):
        """Queries of one column's web_search_read of ``requests`` as ``user``,
        with an empty record cache as each call of the web client has."""
        Request = self.env["beneficiary.request"].with_user(user).with_context(bin_size=True)
        domain = [("id", "in", requests.ids)]
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = Request.web_search_read(domain, self.card_fields, limit=40, count_limit=10001)
        queries = self.env.cr.sql_log_count - before
        self.assertEqual(len(result["records"]), len(requests))
        return queries

    def test_a_column_costs_the_same_queries_for_3_or_9_cards(self):
        few, many = self._column(3), self._column(9)
        for user in (self.manager, self.chair, self.member_2):
            with self.subTest(user=user.login):
                self._load_cards(user, few)  # the first call fills the access caches
                self.assertEqual(
                    self._load_cards(user, many),
                    self._load_cards(user, few),
                    "a column of 9 cards must cost the queries of a column of 3",
                )

    def test_cards_read_together_show_what_each_card_shows_alone(self):
        at_committee = self._column(4)
        received = self._request()
        for user, requests in (
            (self.manager, at_committee | received),
            (self.chair, at_committee),
            (self.member_2, at_committee),
            (self.member_3, at_committee),
        ):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                together = requests.with_user(user).read(VOTE_FIELDS)
                alone = []
                for request in requests:
                    self.env.invalidate_all()
                    alone += request.with_user(user).read(VOTE_FIELDS)
                self.assertEqual(together, alone)
        # and what they show is each member's own situation
        self.env.invalidate_all()
        as_member_3 = {row["id"]: row for row in at_committee.with_user(self.member_3).read(VOTE_FIELDS)}
        conflicted, voted_by_member_2 = at_committee[0], at_committee[1]
        self.assertFalse(as_member_3[conflicted.id]["can_vote"], "a member in conflict does not vote")
        self.assertEqual(as_member_3[conflicted.id]["vote_eligible_count"], 2)
        self.assertTrue(as_member_3[voted_by_member_2.id]["awaiting_my_vote"])
        self.assertEqual(as_member_3[voted_by_member_2.id]["vote_cast_count"], 2)
        as_member_2 = at_committee.with_user(self.member_2).read(["my_vote", "awaiting_my_vote"])
        self.assertEqual([row["my_vote"] for row in as_member_2], [False, "approve", False, "approve"])
        self.assertEqual([row["awaiting_my_vote"] for row in as_member_2], [True, False, True, False])

    def test_the_column_headers_add_up_nothing(self):
        # a total of colour indexes or quorums means nothing to the user, and any sum
        # makes PostgreSQL read the whole table instead of the board's index
        self.assertEqual(self.aggregates, [])

    def test_the_board_indexes_exist(self):
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'beneficiary_request' AND indexname IN %s",
            [("beneficiary_request_kanban_order_index", "beneficiary_request_board_index")],
        )
        self.assertEqual(len(self.env.cr.fetchall()), 2, "the column order and the column counts have their index")
