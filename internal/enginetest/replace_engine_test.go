//go:build engine

package enginetest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/catalog"
)

// Through the real CLI and engine: the fake provider answers Diff from the resource-type
// catalogue, the list the offline plan's review reads too, so a change to a replace-on-change input is a
// replacement that the engine plans and carries out, create before delete. The types are two the fake's
// own list lacked (an SNS topic's and an alarm's name), and an input the catalogue does not list (the
// alarm's threshold) stays an in-place update.
func TestEngine_ReplaceOnChangeComesFromTheCatalogue(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	opLog := filepath.Join(t.TempDir(), "operations.log")
	env.envVars["FAKEAWS_OPLOG"] = opLog
	// The project's config declarations hold for every stack; the program below reads none of them.
	require.NoError(t, os.WriteFile(filepath.Join(env.WorkDir, "Pulumi.replace.yaml"),
		[]byte("config:\n  log-archive:stackKind: source\n  aws:region: eu-west-1\n  aws:allowedAccountIds: [\"222222222222\"]\n"), 0o644))

	topicName, alarmName, threshold := "alerts-a", "failed-a", 1.0
	prog := func(ctx *pulumi.Context) error {
		if _, err := sns.NewTopic(ctx, "alerts", &sns.TopicArgs{Name: pulumi.String(topicName)}); err != nil {
			return err
		}
		_, err := cloudwatch.NewMetricAlarm(ctx, "failed", &cloudwatch.MetricAlarmArgs{
			Name: pulumi.String(alarmName), ComparisonOperator: pulumi.String("GreaterThanThreshold"),
			EvaluationPeriods: pulumi.Int(1), Threshold: pulumi.Float64(threshold),
			Namespace: pulumi.String("AWS/S3"), MetricName: pulumi.String("OperationsFailedReplication"),
			Period: pulumi.Int(300), Statistic: pulumi.String("Maximum"),
		})
		return err
	}
	s := env.StackWith(ctx, "replace", prog)
	env.Up(ctx, s)
	require.NoError(t, os.WriteFile(opLog, nil, 0o644))

	// Only the threshold: an update in place.
	threshold = 5
	preview := env.Preview(ctx, s)
	assert.Equal(t, 1, preview.ChangeSummary[apitype.OpUpdate], "%v", preview.ChangeSummary)
	assert.Zero(t, preview.ChangeSummary[apitype.OpReplace], "%v", preview.ChangeSummary)
	env.Up(ctx, s)

	// The names: both replaced, the new one created before the old one is deleted.
	require.NoError(t, os.WriteFile(opLog, nil, 0o644))
	topicName, alarmName = "alerts-b", "failed-b"
	preview = env.Preview(ctx, s)
	assert.Equal(t, 2, preview.ChangeSummary[apitype.OpReplace], "%v", preview.ChangeSummary)
	env.Up(ctx, s)
	ops := readOps(t, opLog)
	for _, c := range []struct {
		typ      catalog.Type
		old, new string
	}{
		{catalog.SNSTopic, "arn:aws:sns:eu-west-1:222222222222:alerts-a", "arn:aws:sns:eu-west-1:222222222222:alerts-b"},
		{catalog.CloudWatchMetricAlarm, "failed-a", "failed-b"},
	} {
		created := slices.IndexFunc(ops, func(o op) bool { return o.Op == "create" && o.ID == c.new })
		deleted := slices.IndexFunc(ops, func(o op) bool { return o.Op == "delete" && o.ID == c.old })
		require.True(t, created >= 0 && deleted >= 0, "%s replaced: %v", c.typ, ops)
		assert.Less(t, created, deleted, "%s: create before delete", c.typ)
		recs := env.Records()
		assert.Nil(t, Find(recs, string(c.typ), c.old), "%s %s is gone", c.typ, c.old)
		assert.NotNil(t, Find(recs, string(c.typ), c.new), "%s %s exists", c.typ, c.new)
	}
	_, err := env.Destroy(ctx, s)
	require.NoError(t, err)
}
