"""Each lab's queries, option generators and goal predicates (see labs.teaching.queries)."""
