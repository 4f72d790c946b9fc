package program

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
	"log-archive/internal/awsid"
	"log-archive/internal/contract"
	"log-archive/internal/stackconfig"
)

// publishContract is the archive stack's outputs.
func publishContract(archive *components.DestinationArchive, args *components.DestinationArchiveArgs, sinks pulumi.StringMap) pulumi.Map {
	sources := append([]string{}, args.SourceAccountIDs...)
	sort.Strings(sources)
	o := contract.ArchiveOutputs{
		ContractVersion:     contract.Version,
		AccountID:           args.AccountID,
		Region:              args.Region,
		ObjectLockEnabled:   args.ObjectLock != nil,
		ReplicationRoleName: args.ReplicationRoleName,
		ReplicationRolePath: args.ReplicationRolePath,
		ReplicationRoleArnPattern: awsid.ReplicationRoleArnPattern(
			args.Region, args.ReplicationRolePath, args.ReplicationRoleName),
		SourceAccountIDs: sources,
	}
	if org := args.SourceOrganization; org != nil {
		o.SourceOrganizationID, o.SourceOrganizationPaths = org.ID, append([]string{}, org.Paths...)
		sort.Strings(o.SourceOrganizationPaths)
	}
	return contract.Publish(&o,
		contract.Computed(&o.BucketName, archive.BucketName),
		contract.Computed(&o.BucketArn, archive.BucketArn),
		contract.Computed(&o.KeyArn, archive.KeyArn),
		contract.Computed(&o.KeyAlias, archive.KeyAlias),
		contract.Computed(&o.MonitoringSinkArns, sinks))
}

// readContract reads the archive's outputs and checks them before the source stack creates anything.
func readContract(ctx *pulumi.Context, s *stackconfig.SourceSettings) (components.ArchiveContract, error) {
	ref, err := pulumi.NewStackReference(ctx, s.DestinationStack, nil)
	if err != nil {
		return components.ArchiveContract{}, fmt.Errorf("reading the archive stack %s: %w", s.DestinationStack, err)
	}
	destFile := "Pulumi." + stackconfig.DestinationStackName(s.DestinationStack) + ".yaml"
	upFirst := fmt.Sprintf("run `pulumi up --stack %s` first: the archive must be deployed, with this version of log-archive, before its sources",
		stackconfig.DestinationStackName(s.DestinationStack))
	fail := func(problem, fix string) error {
		return stackconfig.Errors{&stackconfig.Error{
			File: s.File, Key: stackconfig.KeyDestinationStack, Value: fmt.Sprintf("%q", s.DestinationStack),
			Problem: problem, Fix: fix,
		}}
	}

	values, err := contract.ReferenceOutputs[contract.ArchiveOutputs](ref, s.DestinationStack)
	if err != nil {
		return components.ArchiveContract{}, err
	}
	a, err := contract.ParseArchive(values)
	var bad *contract.Error
	switch {
	case errors.As(err, &bad) && bad.None:
		// No outputs at all: the archive is not deployed yet, or no stack has that name (a typo).
		return components.ArchiveContract{}, fail("names a stack with none of the outputs a source needs: the archive is not deployed yet, or no stack has that name",
			fmt.Sprintf("check the name (the archive's stack file is Pulumi.%s.yaml, and %s is organization/<project>/<stack> on a self-managed backend, <your Pulumi organization>/<project>/<stack> on Pulumi Cloud); if it is right, %s",
				stackconfig.DestinationStackName(s.DestinationStack), stackconfig.KeyDestinationStack, upFirst))
	case errors.As(err, &bad) && len(bad.Missing) > 0:
		return components.ArchiveContract{}, fail("the archive stack lacks the outputs "+strings.Join(bad.Missing, ", "), upFirst)
	case errors.As(err, &bad) && bad.Version != nil:
		return components.ArchiveContract{}, fail(bad.VersionProblem(), "deploy the archive and this source stack from the same version of log-archive")
	case errors.As(err, &bad):
		return components.ArchiveContract{}, fail("the archive's outputs are malformed: "+strings.Join(bad.Problems, "; "), upFirst)
	case err != nil:
		return components.ArchiveContract{}, err
	}
	c := components.ArchiveContract{
		AccountID:          a.AccountID,
		Region:             a.Region,
		BucketName:         a.BucketName,
		KeyArn:             a.KeyArn,
		RoleName:           a.ReplicationRoleName,
		RolePath:           a.ReplicationRolePath,
		ObjectLockEnabled:  a.ObjectLockEnabled,
		SourceAccountIDs:   a.SourceAccountIDs,
		OrganizationID:     a.SourceOrganizationID,
		OrganizationPaths:  a.SourceOrganizationPaths,
		MonitoringSinkArns: a.MonitoringSinkArns,
	}

	// Whether the archive admits this account is the component's rule (ValidateAgainstArchive); membership
	// of an organization is AWS's, at each request, and is only warned about.
	account := s.Args.AccountID
	if c.OrganizationID != "" && account != c.AccountID && !slices.Contains(c.SourceAccountIDs, account) {
		// R2.12: checking membership here would need organizations:DescribeOrganization in this account,
		// and an answer the offline plan cannot give.
		scope := "organization " + c.OrganizationID
		if len(c.OrganizationPaths) > 0 {
			scope += " (OUs " + strings.Join(c.OrganizationPaths, ", ") + ")"
		}
		stackconfig.Warn(ctx, fmt.Sprintf("the archive admits %s, not account %s by name; if this account is outside it, every object fails to replicate (DstPutObjectNotPermitted, R5.4). "+
			"Check with `aws organizations describe-organization` and `aws organizations list-parents` in this account, or list %s in %s of %s",
			scope, account, account, stackconfig.KeySourceAccountIDs, destFile))
	}
	return c, nil
}
