package stackconfig

import "log-archive/components"

// Monitoring is log-archive:monitoring, the fleet view (docs/fleet-health.md): in the archive's stack, the
// OAM sinks, dashboards and fleet alarms per Region; in a source's stack, its links to those sinks.
type Monitoring struct {
	Enabled bool
	// Regions (archive only) hold the sinks: the archive's Region first, then the listed ones, sorted.
	Regions []string
	// TopicArns (archive only) names an existing topic per Region for the fleet alarm.
	TopicArns map[string]string
}

// monitoringConfig is the shape of log-archive:monitoring.
type monitoringConfig struct {
	Enabled   *bool             `json:"enabled"`
	Regions   []string          `json:"regions"`
	TopicArns map[string]string `json:"topicArns"`
}

const monitoringShape = "{enabled: true, regions: [us-east-1], topicArns: {eu-west-1: arn:aws:sns:eu-west-1:<account>:<topic>}} (regions and topicArns in the archive's stack only)"

// monitoring reads log-archive:monitoring. Off unless enabled: true; the archive's Region always holds a
// sink, since S3 publishes every source's latency and pending metrics there (M5), and regions adds the
// Regions of the source buckets, where their failures are published. The archive never reads its sources'
// stacks, so it cannot derive those Regions itself; a source stack whose Region has no sink is refused
// with the fix.
func (r *reader) monitoring(kind Kind, stackRegion string) Monitoring {
	var c monitoringConfig
	if !r.object(KeyMonitoring, &c, monitoringShape) {
		return Monitoring{}
	}
	m := Monitoring{Enabled: c.Enabled != nil && *c.Enabled}
	raw := r.raw(KeyMonitoring)
	if c.Enabled == nil {
		r.fail(KeyMonitoring+".enabled", "", "is not set, so the rest of "+KeyMonitoring+" would be silently unused",
			"write enabled: true to turn the fleet view on, or remove "+KeyMonitoring)
	}
	if kind == KindSource {
		if len(c.Regions) > 0 || len(c.TopicArns) > 0 {
			r.fail(KeyMonitoring, raw, "regions and topicArns belong in the archive's stack file: a source links to the sinks the archive publishes",
				"write only {enabled: true} here, and list the Regions in the archive's "+KeyMonitoring+".regions")
		}
		return m
	}
	if !m.Enabled {
		if len(c.Regions) > 0 || len(c.TopicArns) > 0 {
			r.fail(KeyMonitoring, raw, "names Regions or topics for a fleet view that enabled: false turns off", "remove them, or set enabled: true")
		}
		return m
	}
	// The rules are the component's: the listed Regions now, the topics with the rest of its arguments.
	var err error
	m.Regions, err = components.FleetRegions(stackRegion, c.Regions)
	r.component(err, fleetFields)
	m.TopicArns = c.TopicArns
	return m
}
