package cliflagstest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWords(t *testing.T) {
	value := func(v string) string { return map[string]string{"STACKS": "a,b", "SINCE": "", "SHARD": "s1"}[v] }
	for cmd, want := range map[string][]string{
		`rollout --op up --stacks "$STACKS" ${SINCE:+--new-since "$SINCE"} > table.txt || status=$?`: {"rollout", "--op", "up", "--stacks", "a,b"},
		`rollout --json "results/$SHARD.json" --stacks ${STACKS} 2>&1`:                               {"rollout", "--json", "results/s1.json", "--stacks", "a,b"},
		`matrix --kind source --changed-since HEAD^1)`:                                               {"matrix", "--kind", "source", "--changed-since", "HEAD^1"},
		`matrix --wave canary "${since[@]}")`:                                                        {"matrix", "--wave", "canary"},
		`diff --base ../base.json --head ../head.json > ../review.md); then`:                         {"diff", "--base", "../base.json", "--head", "../head.json"},
		`check --dir . && echo done`:                                                                 {"check", "--dir", "."},
		`comment --more "a stack's [run]($SHARD), as JSON" > c.md`:                                   {"comment", "--more", "a stack's [run](s1), as JSON"},
		`rollout ${SHARD:+--json x} --op preview | tee log`:                                          {"rollout", "--json", "x", "--op", "preview"},
	} {
		assert.Equal(t, want, words(cmd, value), cmd)
	}
}
