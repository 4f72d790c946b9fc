package deployer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// The fleet view's resources (log-archive:monitoring) get exactly their own permissions: the archive's
// deployer creates sinks, their policies, dashboards and the fleet alarm; a source's deployer links, with
// cloudwatch:Link for the metrics it shares.
func TestPolicy_FleetMonitoring(t *testing.T) {
	dir := testfixture.Project(t)
	archive, err := plan.LoadStack(dir, "destination")
	require.NoError(t, err)
	archive.Config["log-archive:monitoring"] = `{"enabled": true, "regions": ["us-east-1"]}`
	ap, err := plan.Run(archive, program.Program, nil)
	require.NoError(t, err)
	r, err := Generate(archive, ap)
	require.NoError(t, err)
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		assert.True(t, r.Allows("oam:CreateSink", "arn:aws:oam:"+region+":111111111111:sink/abc"), region)
		assert.True(t, r.Allows("oam:PutSinkPolicy", "arn:aws:oam:"+region+":111111111111:sink/abc"), region)
		assert.True(t, r.Allows("cloudwatch:PutMetricAlarm", "arn:aws:cloudwatch:"+region+":111111111111:alarm:log-archive-replication-fleet-failed"), region)
		assert.True(t, r.Allows("cloudwatch:PutDashboard", "arn:aws:cloudwatch::111111111111:dashboard/log-archive-fleet-"+region), region)
	}
	assert.False(t, r.Allows("oam:CreateLink", "arn:aws:oam:eu-west-1:111111111111:link/abc"), "the archive links nowhere")
	assert.False(t, r.Allows("cloudwatch:PutDashboard", "arn:aws:cloudwatch::111111111111:dashboard/other"))

	source, err := plan.LoadStack(dir, "source")
	require.NoError(t, err)
	source.Config["log-archive:monitoring"] = `{"enabled": true}`
	sp, err := plan.Run(source, program.Program, map[string]map[string]any{source.Config["log-archive:destinationStack"]: ap.Outputs})
	require.NoError(t, err)
	sr, err := Generate(source, sp)
	require.NoError(t, err)
	sinks := ap.Outputs["monitoringSinkArns"].(map[string]any)
	assert.True(t, sr.Allows("oam:CreateLink", "arn:aws:oam:eu-west-1:222222222222:link/abc"))
	assert.True(t, sr.Allows("oam:CreateLink", sinks["eu-west-1"].(string)), "the sink the link names")
	assert.True(t, sr.Allows("cloudwatch:Link", "*"))
	assert.False(t, sr.Allows("oam:CreateSink", "arn:aws:oam:eu-west-1:222222222222:sink/abc"), "a source creates no sink")
}
