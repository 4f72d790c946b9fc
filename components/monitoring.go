package components

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/oam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/awsid"
	"log-archive/internal/fielderr"
	"log-archive/internal/policy"
)

// The fleet view: the archive account is a CloudWatch cross-account observability (OAM) monitoring account
// with one sink per Region (M1), every source account links to it in the Regions where S3 publishes its
// replication metrics (M5), and a dashboard and one alarm per Region read all linked accounts with Metrics
// Insights queries, which need no change when accounts join (M6, M7).
const (
	FleetMonitoringType = "log-archive:index:FleetMonitoring"
	MonitoringLinksType = "log-archive:index:MonitoringLinks"

	// SinkName names the sink in every Region; a sink's name cannot change without replacing it (M1).
	SinkName = "log-archive-fleet"
	// OAMMetricType is the only telemetry the sinks accept and the links share (M2).
	OAMMetricType = "AWS::CloudWatch::Metric"
	// s3MetricsFilter shares the AWS/S3 namespace only (M3): replication metrics live there, and nothing
	// else of a source account (its applications' metrics, logs, traces) reaches the archive account.
	s3MetricsFilter = "Namespace IN ('AWS/S3')"
	// linkLabel is how a source account is labelled in the monitoring account (its account name).
	linkLabel = "$AccountName"
	// FleetDashboardPrefix + Region names each Region's dashboard: dashboards are global to an account,
	// so one name per Region (M6).
	FleetDashboardPrefix = "log-archive-fleet-"
	// FleetAlarmName shares alarmNamePrefix, so alarmTopicPolicy admits it to the topic it creates.
	FleetAlarmName = alarmNamePrefix + "fleet-failed"
	// fleetTopRows is how many account/bucket series each dashboard graph shows, worst first (M6).
	fleetTopRows = 50
)

// FleetMonitoringArgs describe the archive side of the fleet view. Plain values, validated before
// registration, like DestinationArchiveArgs, whose admitted sources they repeat.
type FleetMonitoringArgs struct {
	AccountID     string // the archive (monitoring) account
	ArchiveRegion string // the archive bucket's Region: S3 publishes latency and pending metrics there (M5)
	ArchiveBucket string
	// Regions hold sinks, dashboards and alarms. They must include ArchiveRegion and should include every
	// Region of a source bucket, where S3 publishes OperationsFailedReplication (M5).
	Regions []string
	// The sources the archive admits (R2.12): the sink policy admits exactly these (M2).
	SourceAccountIDs   []string
	SourceOrganization *SourceOrganization
	// TopicArns names an existing SNS topic per Region for the fleet alarm; a Region without one gets
	// alarmTopicName, created with alarmTopicPolicy.
	TopicArns map[string]string
	// Providers is the AWS provider of each Region of Regions but ArchiveRegion (the stack's, which the
	// default provider serves). The program builds them with the stack's provider settings; the component
	// never builds one, and refuses a Region without one.
	Providers map[string]pulumi.ProviderResource
	Tags      map[string]string
}

// FleetMonitoring is the sinks, their policies, the dashboards and the fleet alarms of the archive account.
type FleetMonitoring struct {
	pulumi.ResourceState

	// SinkArns are the sinks by Region: the contract publishes them for the sources' links.
	SinkArns map[string]pulumi.StringOutput
	// SinkPolicy is the policy every sink carries (nil when the archive admits no source yet).
	SinkPolicy *policy.Document
	TopicArns  map[string]string // the topic the fleet alarm notifies, by Region
}

// Validate checks the arguments.
func (args *FleetMonitoringArgs) Validate() error {
	var l fielderr.List
	args.validateFields(&l)
	checkProviders(&l, args.Regions, args.ArchiveRegion, args.Providers)
	return l.Err()
}

// ValidateFields checks every argument but Providers, each problem with its field, its value and the fix.
func (args *FleetMonitoringArgs) ValidateFields() error {
	var l fielderr.List
	args.validateFields(&l)
	return l.Err()
}

func (args *FleetMonitoringArgs) validateFields(l *fielderr.List) {
	l.Check("AccountID", args.AccountID, awsid.ValidateAccountID(args.AccountID), `write the archive account's 12-digit ID in quotes, e.g. "111111111111"`)
	l.Check("ArchiveRegion", args.ArchiveRegion, awsid.ValidateRegion(args.ArchiveRegion), "use a Region code such as eu-west-1 or us-east-2")
	l.Check("ArchiveBucket", args.ArchiveBucket, awsid.ValidateBucketName(args.ArchiveBucket), "name the archive bucket")
	validateTags(l, args.Tags)
	validateFleetRegions(l, args.Regions, args.ArchiveRegion)
	if args.ArchiveRegion != "" && !slices.Contains(args.Regions, args.ArchiveRegion) {
		l.Add("Regions", fmt.Sprint(args.Regions), "must include the archive's Region "+args.ArchiveRegion+", where S3 publishes every source's latency and pending metrics (M5)",
			"add "+args.ArchiveRegion)
	}
	for i, id := range args.SourceAccountIDs {
		l.Check(fmt.Sprintf("SourceAccountIDs[%d]", i), id, awsid.ValidateAccountID(id), `write each source account's 12-digit ID in quotes, e.g. "222222222222"`)
	}
	if args.SourceOrganization != nil {
		args.SourceOrganization.validate(l.Nest("SourceOrganization"))
	}
	for _, region := range slices.Sorted(maps.Keys(args.TopicArns)) {
		field, arn := "TopicArns["+region+"]", args.TopicArns[region]
		if !slices.Contains(args.Regions, region) {
			l.Add(field, fielderr.Quote(arn), fmt.Sprintf("names a topic for a Region with no fleet alarm (the fleet view covers %s)", strings.Join(args.Regions, ", ")),
				"add "+region+" to {Regions}, or remove the topic")
			continue
		}
		if awsid.ValidateAccountID(args.AccountID) == nil { // else reported, and no topic can be judged
			l.Check(field, arn, awsid.ValidateTopicArn(arn, args.AccountID, region),
				"name a topic of this account in "+region+"; its policy must let cloudwatch.amazonaws.com publish")
		}
	}
}

// FleetRegions checks the Regions listed for the fleet view besides the archive's, and returns every
// Region of the view: the archive's first, then the listed ones, sorted (the archive's, if listed, once).
func FleetRegions(archiveRegion string, listed []string) ([]string, error) {
	var l fielderr.List
	valid := validateFleetRegions(&l, listed, archiveRegion)
	valid = slices.DeleteFunc(valid, func(r string) bool { return r == archiveRegion })
	slices.Sort(valid)
	if archiveRegion != "" {
		valid = append([]string{archiveRegion}, valid...)
	}
	return valid, l.Err()
}

// validateFleetRegions accepts distinct Regions of the archive's partition, and returns them.
func validateFleetRegions(l *fielderr.List, regions []string, archiveRegion string) []string {
	var valid []string
	for i, r := range regions {
		field := fmt.Sprintf("Regions[%d]", i)
		if !l.Check(field, r, awsid.ValidateRegion(r), "use the Region code of a Region that holds source buckets, e.g. us-east-1") {
			continue
		}
		if p1, p2, differ := awsid.DifferentPartitions(r, archiveRegion); differ && archiveRegion != "" {
			l.Add(field, fielderr.Quote(r), "is in partition "+p1+", the archive in "+p2+"; OAM links stay in one partition",
				"watch that partition's sources from an archive of their own")
			continue
		}
		if slices.Index(regions, r) != i {
			l.Add(field, fielderr.Quote(r), "is listed twice", "remove the duplicate")
			continue
		}
		valid = append(valid, r)
	}
	return valid
}

// SinkPolicy lets exactly the archive's sources link, and only for metrics (M2): listed accounts by
// aws:PrincipalAccount (a closed or mistyped account cannot fail the update, as R2.11 says of principals),
// an organization or its OU paths by aws:PrincipalOrgID and aws:PrincipalOrgPaths. nil when the archive
// admits no source: a sink without a policy admits nobody.
func SinkPolicy(accounts []string, org *SourceOrganization) *policy.Document {
	metricsOnly := func(c policy.Conditions) policy.Conditions {
		c["ForAllValues:StringEquals"] = map[string]policy.Strings{"oam:ResourceTypes": {OAMMetricType}}
		return c
	}
	link := func(sid string, who policy.Conditions) policy.Statement {
		return policy.Statement{Sid: sid, Effect: "Allow", Principal: &policy.Principal{Everyone: true},
			Action: policy.Strings{"oam:CreateLink", "oam:UpdateLink"}, Resource: policy.Strings{"*"}, Condition: metricsOnly(who)}
	}
	doc := policy.Document{Version: policy.Version}
	if len(accounts) > 0 {
		doc.Statement = append(doc.Statement, link("LinkListedSourceAccounts",
			policy.Conditions{"StringEquals": {"aws:PrincipalAccount": sorted(accounts)}}))
	}
	if org != nil {
		doc.Statement = append(doc.Statement, link("LinkOrganizationSourceAccounts", org.conditions()))
	}
	if len(doc.Statement) == 0 {
		return nil
	}
	return &doc
}

// failedQuery is the Metrics Insights query over every linked account's rules into the archive (M7).
func failedQuery(archiveBucket, suffix string) string {
	return replicationQuery("SUM", "OperationsFailedReplication", archiveBucket, suffix)
}

// replicationQuery selects one replication metric of the rules into archiveBucket, in every account the
// query can see (the monitoring account and its linked sources, M7). S3 names the rule's dimensions
// SourceBucket, DestinationBucket and RuleId (R5.10).
func replicationQuery(stat, metric, archiveBucket, suffix string) string {
	q := fmt.Sprintf(`SELECT %s(%s) FROM SCHEMA("%s", DestinationBucket, RuleId, SourceBucket) WHERE DestinationBucket = '%s'`,
		stat, metric, replicationMetricsNS, archiveBucket)
	if suffix != "" {
		q += " " + suffix
	}
	return q
}

// fleetAlarmQuery is the fleet alarm's query: one series, the failed operations of every linked account (M7).
func fleetAlarmQuery(archiveBucket string) string { return failedQuery(archiveBucket, "") }

// dashboard is the CloudWatch dashboard body grammar, as much of it as the fleet view uses (M6).
type dashboard struct {
	Start   string   `json:"start"`
	Widgets []widget `json:"widgets"`
}

type widget struct {
	Type       string         `json:"type"`
	X          int            `json:"x"`
	Y          int            `json:"y"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Properties map[string]any `json:"properties"`
}

// fleetDashboardBody is one Region's dashboard. Each graph is one Metrics Insights query, grouped by
// account and bucket, worst first, at most fleetTopRows series: its size is the same for 1 account or an
// organization of thousands (M6). Latency and pending metrics exist only in the archive's Region (M5).
func fleetDashboardBody(region, archiveRegion, archiveBucket, alarmArn string) (string, error) {
	top := fmt.Sprintf("GROUP BY AWS.AccountId, SourceBucket ORDER BY %%s() DESC LIMIT %d", fleetTopRows)
	graph := func(y int, title, stat, metric string) widget {
		return widget{Type: "metric", X: 0, Y: y, Width: 24, Height: 8, Properties: map[string]any{
			"title": title, "region": region, "view": "timeSeries", "period": AlarmPeriodSeconds, "stat": stat,
			"metrics": [][]map[string]any{{{
				"expression": replicationQuery(stat2fn(stat), metric, archiveBucket, fmt.Sprintf(top, stat2fn(stat))),
				"id":         "q1", "label": "",
			}}},
			"legend": map[string]any{"position": "right"},
		}}
	}
	note := fmt.Sprintf("## Replication into s3://%s, %s\nEvery linked source account, worst first (%d account/bucket pairs per graph). "+
		"Accounts appear as they link: nothing here is redeployed when one joins. Failures are published in the source bucket's Region; "+
		"latency and pending in the archive's Region, %s [M5]. A failed object is never retried: find its failureReason, fix it, run backfill [R5.9].",
		archiveBucket, region, fleetTopRows, archiveRegion)
	d := dashboard{Start: "-PT6H", Widgets: []widget{
		{Type: "text", X: 0, Y: 0, Width: 16, Height: 3, Properties: map[string]any{"markdown": note}},
		{Type: "alarm", X: 16, Y: 0, Width: 8, Height: 3, Properties: map[string]any{"title": "Fleet alarm", "alarms": []string{alarmArn}}},
		graph(3, "Failed replication operations", "Sum", "OperationsFailedReplication"),
	}}
	if region == archiveRegion {
		d.Widgets = append(d.Widgets,
			graph(11, "Replication latency (seconds)", "Maximum", ReplicationLatencyMetric),
			graph(19, "Bytes pending replication", "Maximum", "BytesPendingReplication"),
			graph(27, "Operations pending replication", "Maximum", "OperationsPendingReplication"))
	}
	b, err := policy.MarshalNoEscape(d)
	if err != nil {
		return "", fmt.Errorf("rendering the fleet dashboard: %w", err)
	}
	return string(b), nil
}

// stat2fn is a CloudWatch statistic as a Metrics Insights function.
func stat2fn(stat string) string {
	return map[string]string{"Sum": "SUM", "Maximum": "MAX"}[stat]
}

// fleetAlarmArn is the fleet alarm's ARN in a Region (fixed by its name), for the dashboard's alarm widget.
func fleetAlarmArn(region, account string) string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", awsid.ARNsFor(region).Partition, region, account, FleetAlarmName)
}

// NewFleetMonitoring creates, in every Region of args.Regions, a sink with the policy that admits the
// archive's sources for metrics, the fleet dashboard, and one fleet alarm with its topic unless named.
func NewFleetMonitoring(ctx *pulumi.Context, name string, args *FleetMonitoringArgs, opts ...pulumi.ResourceOption) (*FleetMonitoring, error) {
	if args == nil {
		return nil, errors.New("FleetMonitoring: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("FleetMonitoring %q: %w", name, err)
	}
	policy := SinkPolicy(args.SourceAccountIDs, args.SourceOrganization)
	policyJSON := ""
	if policy != nil {
		var err error
		if policyJSON, err = policy.JSON(); err != nil {
			return nil, err
		}
	}
	c := &FleetMonitoring{SinkArns: map[string]pulumi.StringOutput{}, SinkPolicy: policy, TopicArns: map[string]string{}}
	if err := ctx.RegisterComponentResource(FleetMonitoringType, name, c, opts...); err != nil {
		return nil, fmt.Errorf("registering FleetMonitoring %q: %w", name, err)
	}
	tags := pulumi.ToStringMap(args.Tags)
	outputs := pulumi.Map{}
	for _, region := range args.Regions {
		// Protected like every archive resource: a mistaken destroy of the archive is refused, and the engine
		// deletes unprotected dependents before it reaches a protected resource, so an unprotected sink
		// would be gone (every source's link broken, the fleet alarm silenced) before the refusal.
		in := append(regionOptions(c, region, args.ArchiveRegion, args.Providers), pulumi.Protect(true))
		sink, err := oam.NewSink(ctx, name+"-"+region+"-sink", &oam.SinkArgs{Name: pulumi.String(SinkName), Tags: tags}, in...)
		if err != nil {
			return nil, fmt.Errorf("creating the OAM sink in %s: %w", region, err)
		}
		c.SinkArns[region] = sink.Arn
		outputs[region] = sink.Arn
		if policy != nil {
			if _, err := oam.NewSinkPolicy(ctx, name+"-"+region+"-sink-policy", &oam.SinkPolicyArgs{
				SinkIdentifier: sink.Arn, Policy: pulumi.String(policyJSON),
			}, in...); err != nil {
				return nil, fmt.Errorf("creating the OAM sink policy in %s: %w", region, err)
			}
		}

		topic, topicReady := args.TopicArns[region], []pulumi.Resource(nil)
		if topic == "" {
			p, err := newAlarmTopic(ctx, name+"-"+region+"-topic", alarmTopicPolicy(region, args.AccountID, nil), tags, in...)
			if err != nil {
				return nil, err
			}
			topic, topicReady = topicArn(region, args.AccountID), []pulumi.Resource{p}
		}
		c.TopicArns[region] = topic
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+region+"-alarm", &cloudwatch.MetricAlarmArgs{
			Name: pulumi.String(FleetAlarmName),
			AlarmDescription: pulumi.Sprintf("Objects of a linked source account failed to replicate into s3://%s (Region %s). Open the dashboard %s%s "+
				"to see which account and bucket; S3 never retries them (R5.9).", args.ArchiveBucket, region, FleetDashboardPrefix, region),
			MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{&cloudwatch.MetricAlarmMetricQueryArgs{
				Id: pulumi.String("failed"), Expression: pulumi.String(fleetAlarmQuery(args.ArchiveBucket)),
				Period: pulumi.Int(AlarmPeriodSeconds), ReturnData: pulumi.Bool(true),
				Label: pulumi.String("Failed replication operations, all linked accounts"),
			}},
			EvaluationPeriods: pulumi.Int(1), ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(0),
			// S3 publishes the metric only when operations fail; no data is no failure.
			TreatMissingData: pulumi.String("notBreaching"),
			AlarmActions:     pulumi.Array{pulumi.String(topic)}, OkActions: pulumi.Array{pulumi.String(topic)},
			Tags: tags,
		}, append(in, pulumi.DependsOn(topicReady))...); err != nil {
			return nil, fmt.Errorf("creating the fleet alarm in %s: %w", region, err)
		}

		body, err := fleetDashboardBody(region, args.ArchiveRegion, args.ArchiveBucket, fleetAlarmArn(region, args.AccountID))
		if err != nil {
			return nil, err
		}
		if _, err := cloudwatch.NewDashboard(ctx, name+"-"+region+"-dashboard", &cloudwatch.DashboardArgs{
			DashboardName: pulumi.String(FleetDashboardPrefix + region), DashboardBody: pulumi.String(body),
		}, in...); err != nil {
			return nil, fmt.Errorf("creating the fleet dashboard for %s: %w", region, err)
		}
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"sinkArns": outputs, "topicArns": pulumi.ToStringMap(c.TopicArns)}); err != nil {
		return nil, fmt.Errorf("registering FleetMonitoring outputs: %w", err)
	}
	return c, nil
}

// regionOptions parents a Region's resources to the component and sends them through that Region's
// provider: the default provider in the stack's Region, the one given (Providers) in any other.
func regionOptions(parent pulumi.Resource, region, stackRegion string, providers map[string]pulumi.ProviderResource) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{pulumi.Parent(parent)}
	if region == stackRegion {
		return opts
	}
	return append(opts, pulumi.Provider(providers[region]))
}

// checkProviders refuses a Region other than the stack's without a provider, as the SourceReplicator does.
func checkProviders(l *fielderr.List, regions []string, stackRegion string, providers map[string]pulumi.ProviderResource) {
	for _, region := range regions {
		if region != stackRegion && providers[region] == nil {
			l.Add("Providers", "", fmt.Sprintf("no AWS provider for %s, where this component creates resources", region),
				"pass one for each Region but the stack's, built with the stack's provider settings")
		}
	}
}

// DashboardBodyFits checks a dashboard body against CloudWatch's limits (M6): widgets, and metrics or
// queries per widget. The Metrics Insights queries cap their own series (LIMIT, at most 500).
func DashboardBodyFits(body string) error {
	var d struct {
		Widgets []struct {
			Properties struct {
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return fmt.Errorf("the dashboard body is not JSON: %w", err)
	}
	if len(d.Widgets) > maxDashboardWidgets {
		return fmt.Errorf("%d widgets, more than the %d a dashboard holds", len(d.Widgets), maxDashboardWidgets)
	}
	total := 0
	for i, w := range d.Widgets {
		if n := len(w.Properties.Metrics); n > maxMetricsPerWidget {
			return fmt.Errorf("widget %d has %d metrics, more than %d", i, n, maxMetricsPerWidget)
		}
		total += len(w.Properties.Metrics)
	}
	if total > maxMetricsPerDashboard {
		return fmt.Errorf("%d metrics, more than the %d a dashboard holds", total, maxMetricsPerDashboard)
	}
	if len(body) > dashboardBodyBudget {
		return fmt.Errorf("the body is %d bytes, more than this program's budget of %d", len(body), dashboardBodyBudget)
	}
	return nil
}

// CloudWatch dashboard limits (M6). No AWS page found states a body size: dashboardBodyBudget is this
// program's own ceiling, far below any size AWS might enforce, so the body never approaches one.
const (
	maxDashboardWidgets    = 500
	maxMetricsPerWidget    = 500
	maxMetricsPerDashboard = 2500
	MaxInsightsSeries      = 500
	dashboardBodyBudget    = 16384
)
