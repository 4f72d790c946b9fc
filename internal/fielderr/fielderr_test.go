package fielderr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestList_CollectsEveryProblemUnderItsPath(t *testing.T) {
	var l List
	assert.False(t, l.Has())
	assert.NoError(t, l.Err(), "no problem, no error (not a typed nil)")

	l.Add("AccountID", `"123"`, "is not a 12-digit AWS account ID", "write the ID in quotes")
	b := l.Nest("Buckets[1]")
	b.Add("Name", "", "this field is required", "name the bucket")
	b.Nest("KMSKeyArns").Add("[0]", `"alias/x"`, "is not a key ARN", "")
	b.Add("", "", "is wrong as a whole", "")
	b.Add("Services", "", "names {TrailNames}", "remove {TrailNames[0]}, not {/Region}")
	assert.True(t, l.Has())
	assert.True(t, b.Has(), "a nested list sees the problems of the whole collection")

	var es Errors
	require.ErrorAs(t, l.Err(), &es)
	var paths []string
	for _, e := range es {
		paths = append(paths, e.Path)
	}
	assert.Equal(t, []string{"AccountID", "Buckets[1].Name", "Buckets[1].KMSKeyArns[0]", "Buckets[1]", "Buckets[1].Services"}, paths)
	assert.Equal(t, `AccountID: "123" is not a 12-digit AWS account ID. Fix: write the ID in quotes`, es[0].Error())
	assert.Equal(t, "Buckets[1].Name: this field is required. Fix: name the bucket", es[1].Error())
	assert.Equal(t, `Buckets[1].KMSKeyArns[0]: "alias/x" is not a key ARN`, es[2].Error(), "no fix, no Fix:")
	assert.Equal(t, "names {Buckets[1].TrailNames}", es[4].Problem, "tokens are relative to the List, as paths are")
	assert.Equal(t, "remove {Buckets[1].TrailNames[0]}, not {Region}", es[4].Fix, "{/Path} names a field from the root")
}

func TestList_CheckShowsTheValueOnce(t *testing.T) {
	var l List
	assert.True(t, l.Check("Region", "eu-west-1", nil, "unused"))
	assert.False(t, l.Check("Region", "eu-west-4", errors.New(`"eu-west-4" is not an AWS Region`), "use a Region code"))
	assert.False(t, l.Check("Name", "", errors.New(`"" is not a bucket name`), "name it"))
	var es Errors
	require.ErrorAs(t, l.Err(), &es)
	assert.Equal(t, &Error{Path: "Region", Value: `"eu-west-4"`, Problem: "is not an AWS Region", Fix: "use a Region code"}, es[0])
	assert.Equal(t, &Error{Path: "Name", Value: "", Problem: "is not a bucket name", Fix: "name it"}, es[1], "an empty value is not set")
}

func TestRender_RenamesThePathAndEveryToken(t *testing.T) {
	e := &Error{Path: "LogBuckets[1].Name", Value: `"a"`, Problem: "is also listed at {Buckets[0]}",
		Fix: "remove {DisableMetrics}, or set {ReplicationTimeControl} to false; {not a token} {lower} stay"}
	keys := map[string]string{"LogBuckets[1].Name": "log:logBuckets[1].name", "Buckets[0]": "log:sourceBuckets[0]",
		"DisableMetrics": "log:replicationMetrics", "ReplicationTimeControl": "log:replicationTimeControl"}
	got := e.Render(func(p string) string { return keys[p] })
	assert.Equal(t, `log:logBuckets[1].name: "a" is also listed at log:sourceBuckets[0]. Fix: remove log:replicationMetrics, `+
		"or set log:replicationTimeControl to false; {not a token} {lower} stay", got)
	assert.Equal(t, `LogBuckets[1].Name: "a" is also listed at Buckets[0]. Fix: remove DisableMetrics, or set ReplicationTimeControl to false; {not a token} {lower} stay`,
		e.Error(), "without a renaming, the tokens are the paths")
	assert.Equal(t, []string{"DisableMetrics", "ReplicationTimeControl", "Alarms.TopicArns[eu-west-1]"},
		Tokens("{DisableMetrics} {ReplicationTimeControl} {Alarms.TopicArns[eu-west-1]}"))
}

func TestAll_SplitsFieldProblemsFromTheRest(t *testing.T) {
	var l List
	l.Add("A", "", "is wrong", "")
	l.Add("B", "", "is wrong too", "")
	size := errors.New("the policy is over its limit")
	fields, others := All(errors.Join(l.Err(), size, nil))
	assert.Len(t, fields, 2)
	assert.Equal(t, []error{size}, others)

	wrapped := fmt.Errorf("SourceReplicator %q: %w", "source", l.Err())
	fields, others = All(wrapped)
	assert.Empty(t, fields, "an error that adds text of its own is not taken apart")
	assert.Equal(t, []error{wrapped}, others)

	fields, others = All(nil)
	assert.Empty(t, fields)
	assert.Empty(t, others)
}
