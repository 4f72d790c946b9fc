package program_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
)

// log-archive:alarms: on by default with the stack's own topic; off on request; to a named topic per
// Region, which then gets no S3 failure events (its policy may not admit S3, and the deploy would fail).
func TestSourceAlarmsConfig_R5_10(t *testing.T) {
	archive := archiveOutputs(t, destinationConfig())
	const named = "arn:aws:sns:us-east-2:222222222222:security-alerts"

	p, err := runStack(t, "workload-a", logSourceConfig(), archive)
	require.NoError(t, err)
	assert.Len(t, p.OfType(components.ReplicationAlarmsType), 1)
	assert.Len(t, p.OfType("aws:sns/topic:Topic"), 1)
	assert.Equal(t, map[string]any{"us-east-2": "arn:aws:sns:us-east-2:222222222222:log-archive-replication-alarms"}, p.Outputs["alarmTopicArns"])

	off, err := runStack(t, "workload-a", with(logSourceConfig(), "log-archive:alarms", `{"enabled": false}`), archive)
	require.NoError(t, err)
	assert.Empty(t, off.OfType(components.ReplicationAlarmsType))
	assert.Empty(t, off.OfType(alarmType))
	assert.Equal(t, map[string]any{}, off.Outputs["alarmTopicArns"])

	toNamed, err := runStack(t, "workload-a", with(logSourceConfig(), "log-archive:alarms", `{"topicArns": {"us-east-2": "`+named+`"}}`), archive)
	require.NoError(t, err)
	assert.Empty(t, toNamed.OfType("aws:sns/topic:Topic"), "no topic created")
	assert.Empty(t, toNamed.OfType(notificationType), "no failure events to a topic whose policy this stack does not own")
	for _, a := range toNamed.OfType(alarmType) {
		assert.Equal(t, []any{named}, a.NewState.Inputs["alarmActions"], a.Name())
	}
	assert.Equal(t, map[string]any{"us-east-2": named}, toNamed.Outputs["alarmTopicArns"])
}

func TestSourceAlarmsConfig_BadInput(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"topic in another Region", `{"topicArns": {"us-east-2": "arn:aws:sns:eu-west-1:222222222222:alerts"}}`,
			`log-archive:alarms.topicArns.us-east-2 = "arn:aws:sns:eu-west-1:222222222222:alerts": must be a topic in account 222222222222 and Region us-east-2`},
		{"topic of another account", `{"topicArns": {"us-east-2": "arn:aws:sns:us-east-2:999999999999:alerts"}}`, "must be a topic in account 222222222222"},
		{"topic of another partition", `{"topicArns": {"us-east-2": "arn:aws-cn:sns:us-east-2:222222222222:alerts"}}`, "must be a topic in account 222222222222 and Region us-east-2"},
		{"not a topic", `{"topicArns": {"us-east-2": "alerts"}}`, "is not an SNS topic ARN"},
		{"Region that does not exist", `{"topicArns": {"us-east-9": "arn:aws:sns:us-east-9:222222222222:alerts"}}`,
			`log-archive:alarms.topicArns.us-east-9 = "us-east-9": is not an AWS Region`},
		{"off with topics", `{"enabled": false, "topicArns": {"us-east-2": "arn:aws:sns:us-east-2:222222222222:alerts"}}`,
			"names topics for alarms that enabled: false turns off"},
		{"misspelt field", `{"topics": {}}`, `has a field this program does not know, "topics"`},
		{"word for a boolean", `{"enabled": "no"}`, `field "enabled" should be true or false, not text`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := runStack(t, "workload-a", with(logSourceConfig(), "log-archive:alarms", tc.value), archiveOutputs(t, destinationConfig()))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Pulumi.workload-a.yaml: ")
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "Fix: ")
			assert.Empty(t, p.Creates())
		})
	}
}

// A topic named for a Region where the stack has no alarm would go unused: refused.
func TestSourceAlarmsConfig_TopicForARegionWithoutAlarms(t *testing.T) {
	p, err := runStack(t, "workload-a", with(logSourceConfig(), "log-archive:alarms",
		`{"topicArns": {"ap-south-1": "arn:aws:sns:ap-south-1:222222222222:alerts"}}`), archiveOutputs(t, destinationConfig()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Pulumi.workload-a.yaml: log-archive:alarms.topicArns.ap-south-1 = "arn:aws:sns:ap-south-1:222222222222:alerts": names a topic for a Region where this stack has no alarm (its buckets are in us-east-2)`)
	assert.Empty(t, p.Creates())
}
