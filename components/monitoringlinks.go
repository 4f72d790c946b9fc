package components

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/oam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/awsid"
	"log-archive/internal/fielderr"
)

// The source side of the fleet view (monitoring.go): a source account's OAM links to the archive's sinks.

// MonitoringLinksArgs describe a source account's links to the archive's sinks.
type MonitoringLinksArgs struct {
	AccountID   string
	StackRegion string // the stack's own Region, which the default provider serves
	// SinkArns are the sinks to link to, by Region: one link in each.
	SinkArns map[string]string
	// Providers is the AWS provider of each Region of SinkArns but StackRegion, built by the program.
	Providers map[string]pulumi.ProviderResource
	Tags      map[string]string
}

// MonitoringLinks is a source account's OAM links, one per Region.
type MonitoringLinks struct {
	pulumi.ResourceState

	LinkArns map[string]pulumi.StringOutput
}

// Validate checks the arguments: each sink is an OAM sink in its Region and in another account.
func (args *MonitoringLinksArgs) Validate() error {
	var l fielderr.List
	l.Check("AccountID", args.AccountID, awsid.ValidateAccountID(args.AccountID), "")
	l.Check("StackRegion", args.StackRegion, awsid.ValidateRegion(args.StackRegion), "")
	validateTags(&l, args.Tags)
	if len(args.SinkArns) == 0 {
		l.Add("SinkArns", "", "no sink to link to", "")
	}
	for _, region := range slices.Sorted(maps.Keys(args.SinkArns)) {
		arn := args.SinkArns[region]
		l.Check("SinkArns["+region+"]", arn, awsid.ValidateSinkArn(arn, region, args.AccountID), "")
	}
	checkProviders(&l, slices.Sorted(maps.Keys(args.SinkArns)), args.StackRegion, args.Providers)
	return l.Err()
}

// NewMonitoringLinks creates one link per Region, sharing only S3 metrics (M2, M3).
func NewMonitoringLinks(ctx *pulumi.Context, name string, args *MonitoringLinksArgs, opts ...pulumi.ResourceOption) (*MonitoringLinks, error) {
	if args == nil {
		return nil, errors.New("MonitoringLinks: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("MonitoringLinks %q: %w", name, err)
	}
	c := &MonitoringLinks{LinkArns: map[string]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource(MonitoringLinksType, name, c, opts...); err != nil {
		return nil, fmt.Errorf("registering MonitoringLinks %q: %w", name, err)
	}
	outputs := pulumi.Map{}
	for _, region := range slices.Sorted(maps.Keys(args.SinkArns)) {
		in := regionOptions(c, region, args.StackRegion, args.Providers)
		link, err := oam.NewLink(ctx, name+"-"+region, &oam.LinkArgs{
			SinkIdentifier: pulumi.String(args.SinkArns[region]),
			LabelTemplate:  pulumi.String(linkLabel),
			ResourceTypes:  pulumi.StringArray{pulumi.String(OAMMetricType)},
			LinkConfiguration: &oam.LinkLinkConfigurationArgs{
				MetricConfiguration: &oam.LinkLinkConfigurationMetricConfigurationArgs{Filter: pulumi.String(s3MetricsFilter)},
			},
			Tags: pulumi.ToStringMap(args.Tags),
		}, in...)
		if err != nil {
			return nil, fmt.Errorf("creating the OAM link in %s: %w", region, err)
		}
		c.LinkArns[region] = link.Arn
		outputs[region] = link.Arn
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"linkArns": outputs}); err != nil {
		return nil, fmt.Errorf("registering MonitoringLinks outputs: %w", err)
	}
	return c, nil
}
