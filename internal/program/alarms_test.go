package program_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/plan"
)

// The source stack's replication alarms (components.NewReplicationAlarms, docs/verify.md), checked on
// the whole program: they hold the wiring to what the alarms promise.

const (
	alarmType        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	notificationType = "aws:s3/bucketNotification:BucketNotification"
)

func sourceAlarmsPlan(t *testing.T, cfg map[string]string) *plan.Plan {
	t.Helper()
	p, err := runStack(t, "source", cfg, archiveOutputs(t, destinationConfig()))
	require.NoError(t, err)
	require.NotEmpty(t, p.OfType(components.ReplicationAlarmsType), "the source stack creates its replication alarms")
	return p
}

func alarmsOf(p *plan.Plan, metric string) map[string]plan.Step {
	out := map[string]plan.Step{}
	for _, s := range p.OfType(alarmType) {
		if s.NewState.Inputs["metricName"] == metric {
			dims, _ := s.NewState.Inputs["dimensions"].(map[string]any)
			out[dims["SourceBucket"].(string)] = s
		}
	}
	return out
}

// R5.10: every replicated bucket, existing or created, has an OperationsFailedReplication alarm on its
// rule, and the rule it watches has metrics on; failure events go only to the log buckets the stack
// created, never to an existing bucket (its one notification configuration would be replaced).
func TestSourceStackAlarmsWatchEveryRule_R5_10(t *testing.T) {
	p := sourceAlarmsPlan(t, logSourceConfig())
	failed := alarmsOf(p, components.FailedReplicationMetric)
	assert.ElementsMatch(t, []string{"trail-logs", logBucket}, keys(failed))
	for bucket, s := range failed {
		assert.Equal(t, map[string]any{"SourceBucket": bucket, "DestinationBucket": "acme-log-archive",
			"RuleId": "log-archive-acme-log-archive"}, s.NewState.Inputs["dimensions"])
	}
	for _, r := range p.OfType("aws:s3/bucketReplicationConfig:BucketReplicationConfig") {
		assert.Equal(t, "log-archive-acme-log-archive", input(t, r, "rules", 0, "id"))
		assert.Equal(t, "Enabled", input(t, r, "rules", 0, "destination", "metrics", "status"), "alarms need replication metrics (R5.10)")
	}
	notifications := p.OfType(notificationType)
	require.Len(t, notifications, 1)
	assert.Equal(t, logBucket, notifications[0].NewState.Inputs["bucket"])
	assert.Empty(t, alarmsOf(p, components.ReplicationLatencyMetric), "latency alarms come with RTC only")
}

// R4.7: with replication time control, a ReplicationLatency alarm per rule too.
func TestSourceStackLatencyAlarmsWithRTC_R4_7(t *testing.T) {
	p := sourceAlarmsPlan(t, with(logSourceConfig(), "log-archive:replicationTimeControl", "true"))
	latency := alarmsOf(p, components.ReplicationLatencyMetric)
	assert.ElementsMatch(t, []string{"trail-logs", logBucket}, keys(latency))
	for _, s := range latency {
		assert.Equal(t, float64(components.LatencyThresholdSeconds), s.NewState.Inputs["threshold"])
	}
}

// Without replication metrics there is nothing to alarm on: no alarms, no events.
func TestSourceStackWithoutMetricsHasNoAlarms(t *testing.T) {
	p, err := runStack(t, "source", with(logSourceConfig(), "log-archive:replicationMetrics", "false"), archiveOutputs(t, destinationConfig()))
	require.NoError(t, err)
	require.NotEmpty(t, sourceAlarmsPlan(t, logSourceConfig()).OfType(alarmType), "with metrics, alarms")
	assert.Empty(t, p.OfType(components.ReplicationAlarmsType))
	assert.Empty(t, p.OfType(alarmType))
	assert.Empty(t, p.OfType(notificationType))
}

func keys(m map[string]plan.Step) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, strings.TrimSpace(k))
	}
	return out
}
