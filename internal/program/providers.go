package program

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
	"log-archive/internal/catalog"
)

// regionProviders builds, in one place, the AWS provider of each Region a stack needs besides its default
// one (a source's SourceReplicatorArgs.ProviderRegions and the Regions of its monitoring links, an archive's
// fleet view Regions but its own): each with every setting of the stack's default provider and its own
// Region, named aws-<region>. The components take them; they never build one, so no
// provider can drop a setting such as aws:profile or aws:assumeRole.
//
// The stack's own Region keeps the default provider, which every resource there has used since the
// first release: moving them to an explicit provider would make the engine diff the provider of every
// resource in the stack for no gain. It gets an explicit provider only where a resource of that Region sits
// under another Region's component (see ProviderRegions).
//
// settings is the stack's provider settings (SourceSettings.Provider, DestinationSettings.Provider); regions
// the Regions to build one for, each once; aliases the URNs a Region's provider had before, if any.
func regionProviders(ctx *pulumi.Context, settings pulumi.Map, regions []string, aliases func(region string) []pulumi.Alias) (map[string]pulumi.ProviderResource, error) {
	providers := map[string]pulumi.ProviderResource{}
	for _, region := range regions {
		if providers[region] != nil {
			continue
		}
		inputs := maps.Clone(settings)
		inputs["region"] = pulumi.String(region)
		// What aws.NewProvider does to its arguments, which it cannot take as the stack wrote them.
		for name, value := range map[string]bool{"skipCredentialsValidation": false, "skipRegionValidation": true} {
			if _, set := inputs[name]; !set {
				inputs[name] = pulumi.Bool(value)
			}
		}
		var p aws.Provider
		if err := ctx.RegisterResource(string(catalog.AWSProvider), "aws-"+region, inputs, &p,
			pulumi.Version(AWSProviderVersion), pulumi.AdditionalSecretOutputs([]string{"accessKey", "secretKey", "token"}),
			pulumi.Aliases(aliases(region))); err != nil {
			return nil, fmt.Errorf("creating the AWS provider for %s: %w", region, err)
		}
		providers[region] = &p
	}
	return providers, nil
}

// AWSProviderVersion is the pulumi-aws SDK's version (go.mod), which aws.NewProvider would request: the
// providers of other Regions run the very plugin the stack's default provider runs. A test keeps it equal
// to go.mod's.
const AWSProviderVersion = "6.83.4"

// formerProviders are the URNs the provider of region had when the components built their own, before the
// program built them: the SourceReplicator's provider of each bucket Region other than the stack's
// (<component>-aws-<region>), and each Region's ReplicationAlarms' provider of the archive's Region
// (<component>-alarms[-<region>]-archive-region). As aliases they let an existing stack keep its provider,
// so the engine updates the provider's settings in place and replaces nothing under it; where several
// existed for one Region, the engine adopts the first it finds and the resources of the others move to it,
// which pulumi-aws replaces nothing for as long as the Region is the same.
func formerProviders(ctx *pulumi.Context, args *components.SourceReplicatorArgs, component, region string) []pulumi.Alias {
	root := fmt.Sprintf("urn:pulumi:%s::%s::%s", ctx.Stack(), ctx.Project(), components.SourceReplicatorType)
	var aliases []pulumi.Alias
	if region != args.Region && slices.Contains(args.Regions(), region) {
		aliases = append(aliases, pulumi.Alias{URN: pulumi.URN(root + "$" + string(catalog.AWSProvider) + "::" + component + "-aws-" + region)})
	}
	if region == args.Archive.Region {
		for _, r := range args.Regions() {
			if r == region {
				continue
			}
			alarms := component + "-alarms"
			if r != args.Region {
				alarms += "-" + r
			}
			aliases = append(aliases, pulumi.Alias{URN: pulumi.URN(root + "$" + components.ReplicationAlarmsType +
				"$" + string(catalog.AWSProvider) + "::" + alarms + "-archive-region")})
		}
	}
	return aliases
}

// sourceProviderRegions are the Regions a source stack builds a provider for: the replicator's
// (ProviderRegions) and those of its monitoring links (the keys of sinks) but the stack's own, one each.
func sourceProviderRegions(args *components.SourceReplicatorArgs, sinks map[string]string) []string {
	regions := slices.Clone(args.ProviderRegions())
	for region := range sinks {
		if region != args.Region && !slices.Contains(regions, region) {
			regions = append(regions, region)
		}
	}
	slices.Sort(regions)
	return regions
}
