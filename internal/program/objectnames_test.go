package program_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
	"log-archive/internal/program"
	"log-archive/internal/stackconfig"
	"log-archive/internal/testfixture"
)

// No two resources of one stack name the same AWS object (topic, role, policy, alarm, alias,
// bucket, or a bucket's or topic's policy, notification or configuration) in the same account and
// Region. Such resources would share the object: SNS CreateTopic is idempotent and the Put* APIs
// overwrite, so they fight over it, and the delete of either deletes it for both. Every fixture stack is
// planned: among them replication time control with buckets in three Regions (the archive's too), named
// topics, and 100 buckets in 5 Regions; every custom resource type must be classified in
// the catalogue's Names facet (internal/catalog).
func TestNoTwoResourcesNameTheSameAWSObject(t *testing.T) {
	dir := testfixture.ProjectWithExtras(t)
	names, err := plan.StackNames(dir)
	require.NoError(t, err)
	for _, want := range []string{"destination", "source", "rtc-three-regions", "named-topics", "hundred-buckets"} {
		require.Contains(t, names, want)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			stack, err := plan.LoadStack(dir, name)
			require.NoError(t, err)
			p, err := plan.PlanStack(dir, name, program.Program)
			require.NoError(t, err)
			objects, err := p.ObjectNames(stack.Config[stackconfig.KeyRegion])
			require.NoError(t, err)
			require.NotEmpty(t, objects)
			for object, urns := range objects {
				assert.Len(t, urns, 1, "%s is named by %d resources: %v", object, len(urns), urns)
			}
		})
	}
}

// The fixture with replication time control in three Regions has exactly one topic per Region, the
// archive's (eu-west-1) included, and every latency alarm, whichever Region's component it belongs to,
// notifies the archive Region's topic and waits for that topic's policy.
func TestOneAlarmTopicPerRegion_WithRTCInThreeRegions(t *testing.T) {
	dir := testfixture.ProjectWithExtras(t)
	p, err := plan.PlanStack(dir, "rtc-three-regions", program.Program)
	require.NoError(t, err)
	objects, err := p.ObjectNames("eu-central-1")
	require.NoError(t, err)
	var topics []string
	for object := range objects {
		if len(object) > len("SNS topic ") && object[:len("SNS topic ")] == "SNS topic " {
			topics = append(topics, object)
		}
	}
	assert.ElementsMatch(t, []string{
		"SNS topic eu-central-1/log-archive-replication-alarms",
		"SNS topic eu-west-1/log-archive-replication-alarms",
		"SNS topic us-east-2/log-archive-replication-alarms",
	}, topics)
	archiveTopic := "arn:aws:sns:eu-west-1:333333333333:log-archive-replication-alarms"
	owner := mustStep(t, p, "aws:sns/topicPolicy:TopicPolicy", "source-alarms-eu-west-1-topic-policy")
	latency := alarmsOf(p, "ReplicationLatency")
	assert.Len(t, latency, 4)
	for bucket, a := range latency {
		assert.Equal(t, []any{archiveTopic}, a.NewState.Inputs["alarmActions"], bucket)
		assert.Contains(t, a.NewState.Dependencies, owner.URN, bucket)
	}
	assert.Equal(t, map[string]any{
		"eu-central-1": "arn:aws:sns:eu-central-1:333333333333:log-archive-replication-alarms",
		"eu-west-1":    archiveTopic,
		"us-east-2":    "arn:aws:sns:us-east-2:333333333333:log-archive-replication-alarms",
	}, p.Outputs["alarmTopicArns"])
}
