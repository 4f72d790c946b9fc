package program_test

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
)

const (
	tSink       = "aws:oam/sink:Sink"
	tSinkPolicy = "aws:oam/sinkPolicy:SinkPolicy"
	tLink       = "aws:oam/link:Link"
	tDashboard  = "aws:cloudwatch/dashboard:Dashboard"
	tAlarm      = "aws:cloudwatch/metricAlarm:MetricAlarm"
	tTopic      = "aws:sns/topic:Topic"

	monitoringOn = `{"enabled": true, "regions": ["us-east-2"]}`
)

// monitoredArchive plans the example archive (eu-west-1) with the fleet view in eu-west-1 and us-east-2.
func monitoredArchive(t testing.TB, kv ...string) *plan.Plan {
	t.Helper()
	cfg := with(destinationConfig(), append([]string{"log-archive:monitoring", monitoringOn}, kv...)...)
	p, err := runStack(t, "destination", cfg, nil)
	require.NoError(t, err)
	return p
}

// linkRequest is what IAM sees when a source account calls oam:CreateLink on the sink (M2).
type linkRequest struct {
	name          string
	account       string
	orgID         string
	orgPaths      []string
	resourceTypes []string
	admitted      bool
}

// allows evaluates the sink policy for a request the way IAM does for the operators this program uses:
// an Allow statement whose action, principal and every condition match. An operator it does not know
// fails the test, so a policy cannot pass by using one.
func allows(t testing.TB, d policy.Document, r linkRequest) bool {
	t.Helper()
	context := map[string][]string{
		"aws:PrincipalAccount": {r.account}, "aws:PrincipalOrgPaths": r.orgPaths, "oam:ResourceTypes": r.resourceTypes,
	}
	if r.orgID != "" {
		context["aws:PrincipalOrgID"] = []string{r.orgID}
	}
	for _, s := range d.Statement {
		if s.Effect != "Allow" || !slices.Contains(s.Action, "oam:CreateLink") || s.Principal == nil || !s.Principal.Everyone && !slices.Contains(s.Principal.AWS, r.account) {
			continue
		}
		ok := true
		for op, keys := range s.Condition {
			for key, want := range keys {
				got := context[key]
				switch op {
				case "StringEquals": // a single-valued key: absent is no match
					ok = ok && len(got) == 1 && slices.Contains(want, got[0])
				case "ForAllValues:StringEquals": // every value listed (an empty set matches, as in IAM)
					for _, g := range got {
						ok = ok && slices.Contains(want, g)
					}
				case "ForAnyValue:StringLike":
					any := false
					for _, g := range got {
						for _, w := range want {
							if m, _ := path.Match(strings.ReplaceAll(w, "/", "\x00"), strings.ReplaceAll(g, "/", "\x00")); m {
								any = true
							}
						}
					}
					ok = ok && any
				default:
					t.Fatalf("the sink policy uses %s, which this test cannot evaluate", op)
				}
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// The archive of these tests admits 222222222222 and 333333333333 by name, and the OU ou-ab12-11111111
// of o-a1b2c3d4e5 (and the OUs below it).
var linkRequests = []linkRequest{
	{name: "listed account, metrics", account: "222222222222", resourceTypes: []string{components.OAMMetricType}, admitted: true},
	{name: "listed account, metrics and logs", account: "222222222222", resourceTypes: []string{components.OAMMetricType, "AWS::Logs::LogGroup"}},
	{name: "listed account, traces", account: "333333333333", resourceTypes: []string{"AWS::XRay::Trace"}},
	{name: "unlisted account outside the organization", account: "444444444444", resourceTypes: []string{components.OAMMetricType}},
	{name: "OU member", account: "555555555555", orgID: "o-a1b2c3d4e5", resourceTypes: []string{components.OAMMetricType},
		orgPaths: []string{"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"}, admitted: true},
	{name: "OU member, logs", account: "555555555555", orgID: "o-a1b2c3d4e5", resourceTypes: []string{"AWS::Logs::LogGroup"},
		orgPaths: []string{"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"}},
	{name: "member of another OU", account: "666666666666", orgID: "o-a1b2c3d4e5", resourceTypes: []string{components.OAMMetricType},
		orgPaths: []string{"o-a1b2c3d4e5/r-ab12/ou-ab12-99999999/"}},
	{name: "another organization", account: "777777777777", orgID: "o-zzzzzzzzzz", resourceTypes: []string{components.OAMMetricType},
		orgPaths: []string{"o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/"}},
}

// admitsExactly is nil when the policy admits exactly the requests marked admitted.
func admitsExactly(t testing.TB, d policy.Document) error {
	for _, r := range linkRequests {
		if got := allows(t, d, r); got != r.admitted {
			return fmt.Errorf("%s: admitted %v, want %v", r.name, got, r.admitted)
		}
	}
	return nil
}

// M2: every Region's sink carries one policy that lets exactly the archive's sources link, for metrics only.
func TestFleetMonitoring_SinkPolicyAdmitsExactlyTheArchivesSources_M2(t *testing.T) {
	p := monitoredArchive(t, "log-archive:sourceOrganization", org)
	require.Len(t, p.OfType(tSink), 2)
	for _, region := range []string{"eu-west-1", "us-east-2"} {
		t.Run(region, func(t *testing.T) {
			sink := mustStep(t, p, tSink, "fleet-"+region+"-sink")
			assert.Equal(t, components.SinkName, sink.NewState.Inputs["name"])
			assert.Equal(t, urnOf(p, components.FleetMonitoringType, "fleet"), sink.NewState.Parent)
			policyStep := mustStep(t, p, tSinkPolicy, "fleet-"+region+"-sink-policy")
			assert.Equal(t, fmt.Sprintf("arn:aws:oam:%s:111111111111:sink/", region), policyStep.NewState.Inputs["sinkIdentifier"].(string)[:len("arn:aws:oam::111111111111:sink/")+len(region)])
			assert.Contains(t, p.Outputs["monitoringSinkArns"], region)
			d := policyInput(t, policyStep, "policy")
			require.NoError(t, admitsExactly(t, d))
			for _, s := range d.Statement {
				assert.Equal(t, policy.Strings{"oam:CreateLink", "oam:UpdateLink"}, s.Action, s.Sid)
				assert.Equal(t, policy.Strings{"*"}, s.Resource, s.Sid)
			}
		})
	}
	// Listed accounts only: the OU member is refused too.
	listed := monitoredArchive(t)
	d := policyInput(t, mustStep(t, listed, tSinkPolicy, "fleet-eu-west-1-sink-policy"), "policy")
	assert.False(t, allows(t, d, linkRequests[4]), "an OU member is admitted only when the archive admits the organization")
	assert.True(t, allows(t, d, linkRequests[0]))
}

// Each mutation of the policy must make the exactness check fail: the check is not one that any policy
// passes.
func TestFleetMonitoring_SinkPolicyMutationsAreCaught(t *testing.T) {
	good := *components.SinkPolicy([]string{"333333333333", "222222222222"},
		&components.SourceOrganization{ID: "o-a1b2c3d4e5", Paths: []string{"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"}})
	require.NoError(t, admitsExactly(t, good))
	mutations := map[string]func(d *policy.Document){
		"no resource type condition": func(d *policy.Document) {
			for _, s := range d.Statement {
				delete(s.Condition, "ForAllValues:StringEquals")
			}
		},
		"logs allowed too": func(d *policy.Document) {
			d.Statement[0].Condition["ForAllValues:StringEquals"]["oam:ResourceTypes"] = policy.Strings{components.OAMMetricType, "AWS::Logs::LogGroup"}
		},
		"an extra account": func(d *policy.Document) {
			d.Statement[0].Condition["StringEquals"]["aws:PrincipalAccount"] = append(d.Statement[0].Condition["StringEquals"]["aws:PrincipalAccount"], "444444444444")
		},
		"a listed account missing": func(d *policy.Document) {
			d.Statement[0].Condition["StringEquals"]["aws:PrincipalAccount"] = policy.Strings{"333333333333"}
		},
		"the whole organization": func(d *policy.Document) { delete(d.Statement[1].Condition, "ForAnyValue:StringLike") },
		"another OU": func(d *policy.Document) {
			d.Statement[1].Condition["ForAnyValue:StringLike"]["aws:PrincipalOrgPaths"] = policy.Strings{"o-a1b2c3d4e5/r-ab12/ou-ab12-99999999/*"}
		},
		"another organization": func(d *policy.Document) {
			d.Statement[1].Condition["StringEquals"]["aws:PrincipalOrgID"] = policy.Strings{"o-zzzzzzzzzz"}
		},
		"no account condition":           func(d *policy.Document) { delete(d.Statement[0].Condition, "StringEquals") },
		"organization statement dropped": func(d *policy.Document) { d.Statement = d.Statement[:1] },
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			raw, err := good.JSON()
			require.NoError(t, err)
			d, err := policy.Parse(raw) // a deep copy
			require.NoError(t, err)
			mutate(&d)
			assert.Error(t, admitsExactly(t, d))
		})
	}
	// An archive with no source yet: no policy, so the sink admits nobody.
	assert.Nil(t, components.SinkPolicy(nil, nil))
}

// M3, M5: a source links in its buckets' Regions and the archive's, sharing only AWS/S3 metrics, each link
// through its Region's provider, to the archive's sink of that Region.
func TestMonitoringLinks_ShareOnlyS3MetricsWithTheSinkOfTheirRegion_M3(t *testing.T) {
	archive := monitoredArchive(t)
	sinks := archive.Outputs["monitoringSinkArns"].(map[string]any)
	cfg := with(sourceConfig(), "log-archive:monitoring", `{"enabled": true}`)
	p, err := runStack(t, "workload-a", cfg, map[string]map[string]any{destinationRef: archive.Outputs})
	require.NoError(t, err)
	links := p.OfType(tLink)
	require.Len(t, links, 2, "us-east-2 (the buckets, failures) and eu-west-1 (the archive, latency and pending)")
	for _, region := range []string{"eu-west-1", "us-east-2"} {
		link := mustStep(t, p, tLink, "monitoring-"+region)
		assert.Equal(t, sinks[region], link.NewState.Inputs["sinkIdentifier"])
		assert.Equal(t, []any{"AWS::CloudWatch::Metric"}, link.NewState.Inputs["resourceTypes"])
		assert.Equal(t, map[string]any{"metricConfiguration": map[string]any{"filter": "Namespace IN ('AWS/S3')"}}, link.NewState.Inputs["linkConfiguration"])
		assert.Equal(t, "$AccountName", link.NewState.Inputs["labelTemplate"])
		assert.Equal(t, urnOf(p, components.MonitoringLinksType, "monitoring"), link.NewState.Parent)
		if region == "us-east-2" {
			assert.Empty(t, link.NewState.Provider, "the stack's Region uses the default provider")
		} else {
			assert.Contains(t, link.NewState.Provider, "::eu-west-1-")
		}
	}
	assert.Len(t, p.Outputs["monitoringLinkArns"], 2)
}

// M6: the dashboard is the same few Metrics Insights queries for 1,200 listed accounts as for an
// organization, well within CloudWatch's limits, and needs no redeploy when an account joins.
func TestFleetDashboard_StaysWithinLimitsAt1200AccountsAndWithAnOrganization_M6(t *testing.T) {
	bodies := map[string]string{}
	for name, kv := range map[string][]string{
		"1200 accounts": {"log-archive:sourceAccountIds", accountList(1200)},
		"organization":  {"log-archive:sourceAccountIds", "", "log-archive:sourceOrganization", org},
	} {
		p := monitoredArchive(t, kv...)
		for _, region := range []string{"eu-west-1", "us-east-2"} {
			d := mustStep(t, p, tDashboard, "fleet-"+region+"-dashboard")
			assert.Equal(t, components.FleetDashboardPrefix+region, d.NewState.Inputs["dashboardName"])
			body := d.NewState.Inputs["dashboardBody"].(string)
			require.NoError(t, components.DashboardBodyFits(body), name)
			bodies[name+" "+region] = body
			var parsed struct {
				Widgets []struct {
					Type       string `json:"type"`
					Properties struct {
						Region  string             `json:"region"`
						Metrics [][]map[string]any `json:"metrics"`
					} `json:"properties"`
				} `json:"widgets"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &parsed))
			var queries []string
			for _, w := range parsed.Widgets {
				if w.Type != "metric" {
					continue
				}
				assert.Equal(t, region, w.Properties.Region)
				require.Len(t, w.Properties.Metrics, 1, "one query per graph")
				queries = append(queries, w.Properties.Metrics[0][0]["expression"].(string))
			}
			want := 1 // failures are published in the bucket's Region
			if region == "eu-west-1" {
				want = 4 // latency, bytes and operations pending are published in the archive's Region (M5)
			}
			require.Len(t, queries, want)
			for _, q := range queries {
				assertInsightsQuery(t, q, "acme-log-archive", true)
			}
		}
	}
	assert.Equal(t, bodies["1200 accounts eu-west-1"], bodies["organization eu-west-1"], "the body does not depend on the sources")
	assert.Equal(t, bodies["1200 accounts us-east-2"], bodies["organization us-east-2"])
}

var insightsQuery = regexp.MustCompile(`^SELECT (SUM|MAX)\((OperationsFailedReplication|ReplicationLatency|BytesPendingReplication|OperationsPendingReplication)\) ` +
	`FROM SCHEMA\("AWS/S3", DestinationBucket, RuleId, SourceBucket\) WHERE DestinationBucket = '([a-z0-9.-]{3,63})'` +
	`( GROUP BY AWS\.AccountId, SourceBucket ORDER BY (SUM|MAX)\(\) DESC LIMIT ([0-9]+))?$`)

// assertInsightsQuery checks a Metrics Insights query against the grammar (M7): the schema of S3's
// replication metrics, the archive bucket, and, for graphs, worst first within the 500-series cap.
func assertInsightsQuery(t *testing.T, q, bucket string, grouped bool) {
	t.Helper()
	m := insightsQuery.FindStringSubmatch(q)
	require.NotNil(t, m, "not a well-formed query: %s", q)
	assert.Equal(t, bucket, m[3])
	if !grouped {
		assert.Empty(t, m[4], "the alarm watches one series, the sum over every account")
		return
	}
	require.NotEmpty(t, m[4], q)
	assert.Equal(t, m[1], m[5], "ordered by the statistic it selects")
	var limit int
	fmt.Sscan(m[6], &limit)
	assert.LessOrEqual(t, limit, components.MaxInsightsSeries)
}

// M7: one fleet alarm per Region on the failed operations of every linked account, a single-series
// Metrics Insights query, notifying the Region's topic (created, or the one named).
func TestFleetAlarm_QueryIsWellFormedAndNotifiesTheRegionsTopic_M7(t *testing.T) {
	topic := "arn:aws:sns:us-east-2:111111111111:security-pager"
	p := monitoredArchive(t, "log-archive:monitoring", `{"enabled": true, "regions": ["us-east-2"], "topicArns": {"us-east-2": "`+topic+`"}}`)
	require.Len(t, p.OfType(tAlarm), 2)
	require.Len(t, p.OfType(tTopic), 1, "a topic only where none is named")
	for region, want := range map[string]string{"eu-west-1": "arn:aws:sns:eu-west-1:111111111111:log-archive-replication-alarms", "us-east-2": topic} {
		a := mustStep(t, p, tAlarm, "fleet-"+region+"-alarm")
		in := a.NewState.Inputs
		assert.Equal(t, components.FleetAlarmName, in["name"])
		assert.Nil(t, in["metricName"], "a query alarm names no single metric")
		queries := in["metricQueries"].([]any)
		require.Len(t, queries, 1)
		q := queries[0].(map[string]any)
		assert.Equal(t, true, q["returnData"])
		assert.Equal(t, float64(components.AlarmPeriodSeconds), q["period"])
		assertInsightsQuery(t, q["expression"].(string), "acme-log-archive", false)
		assert.Equal(t, "GreaterThanThreshold", in["comparisonOperator"])
		assert.Equal(t, float64(0), in["threshold"])
		assert.Equal(t, "notBreaching", in["treatMissingData"])
		assert.Equal(t, []any{want}, in["alarmActions"])
		assert.Equal(t, []any{want}, in["okActions"])
	}
	created := mustStep(t, p, tTopic, "fleet-eu-west-1-topic")
	assert.Equal(t, "log-archive-replication-alarms", created.NewState.Inputs["name"])
	topicPolicy := policyInput(t, mustStep(t, p, "aws:sns/topicPolicy:TopicPolicy", "fleet-eu-west-1-topic-policy"), "policy")
	grant := statementOf(t, topicPolicy, "CloudWatchAlarmsPublish")
	assert.Equal(t, policy.Strings{"arn:aws:cloudwatch:eu-west-1:111111111111:alarm:log-archive-replication-*"}, grant.Condition["ArnLike"]["aws:SourceArn"])
}

// Monitoring off plans exactly what it planned before the option existed; turning it on only adds the
// fleet view's resources and one output.
func TestMonitoring_OnOnlyAddsItsOwnResources(t *testing.T) {
	off, err := runStack(t, "destination", destinationConfig(), nil)
	require.NoError(t, err)
	on := monitoredArchive(t)
	assert.Equal(t, map[string]any{}, off.Outputs["monitoringSinkArns"])
	assertOnlyAdds(t, off, on, components.FleetMonitoringType)

	refs := map[string]map[string]any{destinationRef: on.Outputs}
	srcOff, err := runStack(t, "workload-a", sourceConfig(), refs)
	require.NoError(t, err)
	srcOn, err := runStack(t, "workload-a", with(sourceConfig(), "log-archive:monitoring", `{"enabled": true}`), refs)
	require.NoError(t, err)
	assertOnlyAdds(t, srcOff, srcOn, components.MonitoringLinksType)
}

// The fleet view is protected like the rest of the archive: a mistaken destroy of the archive deletes
// unprotected resources before it reaches a protected one, and a deleted sink breaks every source's link
// and silences the fleet alarm. It is not retained: turning the view off (after pulumi state unprotect)
// deletes it from AWS, so turning it on again creates no second sink of the same name.
func TestFleetMonitoring_ProtectedLikeTheArchiveNotRetained(t *testing.T) {
	p := monitoredArchive(t)
	component := mustStep(t, p, components.FleetMonitoringType, "fleet")
	types := map[string]int{}
	for _, s := range p.Creates() {
		if s.NewState.Parent != component.URN {
			continue
		}
		types[string(s.NewState.Type)]++
		assert.True(t, s.NewState.Protect, "%s is protected", s.Name())
		assert.False(t, s.NewState.RetainOnDelete, "%s is deleted when the fleet view is turned off", s.Name())
	}
	for _, typ := range []string{"aws:oam/sink:Sink", "aws:oam/sinkPolicy:SinkPolicy", "aws:sns/topic:Topic",
		"aws:sns/topicPolicy:TopicPolicy", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/dashboard:Dashboard"} {
		assert.Equal(t, 2, types[typ], "one %s in each of the fleet view's two Regions", typ)
	}
}

// assertOnlyAdds: every resource of off is in on with the same inputs, options and parent; on's other
// resources all belong to the component of type typ (or are its providers).
func assertOnlyAdds(t *testing.T, off, on *plan.Plan, typ string) {
	t.Helper()
	byURN := map[string]plan.Step{}
	for _, s := range on.Creates() {
		byURN[s.URN] = s
	}
	for _, s := range off.Creates() {
		o, ok := byURN[s.URN]
		if assert.True(t, ok, "%s is kept", s.URN) {
			assert.Equal(t, s.NewState, o.NewState, s.URN)
		}
		delete(byURN, s.URN)
	}
	require.NotEmpty(t, byURN)
	for urn := range byURN {
		if strings.Contains(urn, "::pulumi:providers:aws::aws-") {
			continue // the program builds the providers of the fleet view's other Regions
		}
		assert.Contains(t, urn, typ, "%s belongs to the fleet view", urn)
	}
}

func urnOf(p *plan.Plan, typ, name string) string {
	for _, s := range p.Steps {
		if s.NewState.Type == typ && s.Name() == name {
			return s.URN
		}
	}
	return ""
}

// Bad input is refused before any resource, naming the file, the key and the fix.
func TestMonitoring_BadInput(t *testing.T) {
	for _, tc := range []struct {
		name, stack, value string
		want               []string
	}{
		{"enabled missing", "destination", `{"regions": ["us-east-2"]}`, []string{"log-archive:monitoring.enabled", "write enabled: true"}},
		{"unknown field", "destination", `{"enabled": true, "region": ["us-east-2"]}`, []string{"did you mean regions?"}},
		{"bad Region", "destination", `{"enabled": true, "regions": ["us-east-9"]}`, []string{"log-archive:monitoring.regions[0]", "us-east-9"}},
		{"Region twice", "destination", `{"enabled": true, "regions": ["us-east-2", "us-east-2"]}`, []string{"log-archive:monitoring.regions[1]", "listed twice"}},
		{"other partition", "destination", `{"enabled": true, "regions": ["cn-north-1"]}`, []string{"partition aws-cn", "OAM links stay in one partition"}},
		{"topic for a Region without an alarm", "destination", `{"enabled": true, "topicArns": {"us-east-2": "arn:aws:sns:us-east-2:111111111111:t"}}`,
			[]string{"log-archive:monitoring.topicArns.us-east-2", "add us-east-2 to log-archive:monitoring.regions"}},
		{"topic of another account", "destination", `{"enabled": true, "topicArns": {"eu-west-1": "arn:aws:sns:eu-west-1:999999999999:t"}}`,
			[]string{"log-archive:monitoring.topicArns.eu-west-1", "must be a topic in account 111111111111"}},
		{"off with Regions", "destination", `{"enabled": false, "regions": ["us-east-2"]}`, []string{"enabled: false turns off"}},
		{"Regions in a source", "workload-a", `{"enabled": true, "regions": ["us-east-2"]}`, []string{"belong in the archive's stack file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := destinationConfig()
			if tc.stack != "destination" {
				cfg = sourceConfig()
			}
			requireRefused(t, tc.stack, with(cfg, "log-archive:monitoring", tc.value), tc.want...)
		})
	}
}

// A source with monitoring on needs a sink in each of its Regions; without, it stops before anything is
// registered, saying which Regions to add to the archive.
func TestMonitoring_SourceNeedsASinkInEachOfItsRegions_M5(t *testing.T) {
	cfg := with(sourceConfig(), "log-archive:monitoring", `{"enabled": true}`)
	for name, tc := range map[string]struct {
		archive []string
		want    string
	}{
		"archive's view off":           {nil, "its sinks: none: its fleet view is off"},
		"no sink in the bucket Region": {[]string{"log-archive:monitoring", `{"enabled": true}`}, "the archive has no sink in us-east-2 (its sinks: eu-west-1)"},
	} {
		t.Run(name, func(t *testing.T) {
			archive, err := runStack(t, "destination", with(destinationConfig(), tc.archive...), nil)
			require.NoError(t, err)
			p, err := runStack(t, "workload-a", cfg, map[string]map[string]any{destinationRef: archive.Outputs})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Pulumi.workload-a.yaml: log-archive:monitoring")
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "Pulumi.destination.yaml")
			assert.Empty(t, p.Creates(), "nothing registered")
		})
	}
}
