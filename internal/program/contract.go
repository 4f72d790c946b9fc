package program

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
	"log-archive/internal/stackconfig"
)

// ContractVersion changes when an output below changes meaning; a source stack refuses a version it does
// not know instead of guessing.
const ContractVersion = 1

// The archive stack's outputs: the contract every source stack reads through a StackReference.
const (
	OutContractVersion       = "contractVersion"
	OutArchiveAccountID      = "archiveAccountId"
	OutArchiveRegion         = "archiveRegion"
	OutArchiveBucketName     = "archiveBucketName"
	OutArchiveBucketArn      = "archiveBucketArn"
	OutArchiveKeyArn         = "archiveKeyArn"
	OutArchiveKeyAlias       = "archiveKeyAlias"
	OutArchiveObjectLock     = "archiveObjectLockEnabled"
	OutReplicationRoleName   = "replicationRoleName"
	OutReplicationRolePath   = "replicationRolePath"
	OutReplicationRolePinned = "replicationRoleArnPattern"
	OutSourceAccountIDs      = "sourceAccountIds"
	// OutSourceOrganizationID and OutSourceOrganizationPaths say which organization (and OUs) the archive
	// admits beside the listed accounts ("" and [] when none, R2.12). Sources read them when present.
	OutSourceOrganizationID    = "sourceOrganizationId"
	OutSourceOrganizationPaths = "sourceOrganizationPaths"
	// OutMonitoringSinkArns maps each Region of the fleet view to the archive's OAM sink there ({} when
	// log-archive:monitoring is off): a source with monitoring on links to the sinks of its Regions.
	OutMonitoringSinkArns = "monitoringSinkArns"
)

// The source stack's outputs.
const (
	OutReplicationRoleArn = "replicationRoleArn"
	// OutBackfillRoleArn is the role S3 Batch Replication jobs run as (H6), for `go run ./cmd/backfill`.
	OutBackfillRoleArn = "backfillRoleArn"
	// OutBucketRegions maps every replicated bucket to its Region (a source stack's buckets may be in
	// several): what verify and backfill need to call S3 in the right Region.
	OutBucketRegions = "bucketRegions"
	// OutAlarmTopicArns maps each Region of the stack's buckets to the SNS topic its replication alarms
	// notify ({} when alarms are off): subscribe to it.
	OutAlarmTopicArns    = "alarmTopicArns"
	OutReplicatedBuckets = "replicatedBuckets"
	// OutLogBuckets maps each created log bucket to what its services are pointed at: bucketArn, keyArn
	// and keyAlias.
	OutLogBuckets = "logBuckets"
	// OutMonitoringLinkArns maps each Region to this account's OAM link to the archive's sink ({} when off).
	OutMonitoringLinkArns = "monitoringLinkArns"
)

// ContractOutputs are the outputs a source stack requires.
var ContractOutputs = []string{
	OutContractVersion, OutArchiveAccountID, OutArchiveRegion, OutArchiveBucketName, OutArchiveBucketArn,
	OutArchiveKeyArn, OutArchiveObjectLock, OutReplicationRoleName, OutReplicationRolePath, OutSourceAccountIDs,
}

// publishContract is the archive stack's outputs.
func publishContract(archive *components.DestinationArchive, args *components.DestinationArchiveArgs) pulumi.Map {
	sources := append([]string{}, args.SourceAccountIDs...)
	sort.Strings(sources)
	orgID, orgPaths := "", []string{}
	if org := args.SourceOrganization; org != nil {
		orgID, orgPaths = org.ID, append(orgPaths, org.Paths...)
		sort.Strings(orgPaths)
	}
	return pulumi.Map{
		OutContractVersion:     pulumi.Int(ContractVersion),
		OutArchiveAccountID:    pulumi.String(args.AccountID),
		OutArchiveRegion:       pulumi.String(args.Region),
		OutArchiveBucketName:   archive.BucketName,
		OutArchiveBucketArn:    archive.BucketArn,
		OutArchiveKeyArn:       archive.KeyArn,
		OutArchiveKeyAlias:     archive.KeyAlias,
		OutArchiveObjectLock:   pulumi.Bool(args.ObjectLock != nil),
		OutReplicationRoleName: pulumi.String(args.ReplicationRoleName),
		OutReplicationRolePath: pulumi.String(args.ReplicationRolePath),
		OutReplicationRolePinned: pulumi.String(components.ReplicationRoleArnPattern(
			args.Region, args.ReplicationRolePath, args.ReplicationRoleName)),
		OutSourceAccountIDs:        pulumi.ToStringArray(sources),
		OutSourceOrganizationID:    pulumi.String(orgID),
		OutSourceOrganizationPaths: pulumi.ToStringArray(orgPaths),
	}
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

	values := map[string]any{}
	var missing []string
	for _, name := range ContractOutputs {
		d, err := ref.GetOutputDetails(name)
		if err != nil {
			return components.ArchiveContract{}, fmt.Errorf("reading output %s of %s: %w", name, s.DestinationStack, err)
		}
		v := d.Value
		if v == nil {
			v = d.SecretValue
		}
		if v == nil {
			missing = append(missing, name)
			continue
		}
		values[name] = v
	}
	if len(missing) == len(ContractOutputs) {
		// No outputs at all: the archive is not deployed yet, or no stack has that name (a typo).
		return components.ArchiveContract{}, fail("names a stack with none of the outputs a source needs: the archive is not deployed yet, or no stack has that name",
			fmt.Sprintf("check the name (the archive's stack file is Pulumi.%s.yaml, and %s is organization/<project>/<stack> on a self-managed backend, <your Pulumi organization>/<project>/<stack> on Pulumi Cloud); if it is right, %s",
				stackconfig.DestinationStackName(s.DestinationStack), stackconfig.KeyDestinationStack, upFirst))
	}
	if len(missing) > 0 {
		return components.ArchiveContract{}, fail("the archive stack lacks the outputs "+strings.Join(missing, ", "), upFirst)
	}

	var problems []string
	str := func(name string) string {
		v, ok := values[name].(string)
		if !ok {
			problems = append(problems, fmt.Sprintf("output %s is a %T, not a string", name, values[name]))
		}
		return v
	}
	if v, ok := values[OutContractVersion].(float64); !ok || int(v) != ContractVersion {
		return components.ArchiveContract{}, fail(
			fmt.Sprintf("the archive publishes contract version %v; this program reads version %d", values[OutContractVersion], ContractVersion),
			"deploy the archive and this source stack from the same version of log-archive")
	}
	c := components.ArchiveContract{
		AccountID:  str(OutArchiveAccountID),
		Region:     str(OutArchiveRegion),
		BucketName: str(OutArchiveBucketName),
		KeyArn:     str(OutArchiveKeyArn),
		RoleName:   str(OutReplicationRoleName),
		RolePath:   str(OutReplicationRolePath),
	}
	bucketArn := str(OutArchiveBucketArn)
	lock, ok := values[OutArchiveObjectLock].(bool)
	if !ok {
		problems = append(problems, fmt.Sprintf("output %s is a %T, not a bool", OutArchiveObjectLock, values[OutArchiveObjectLock]))
	}
	c.ObjectLockEnabled = lock
	list, ok := values[OutSourceAccountIDs].([]any)
	if !ok {
		problems = append(problems, fmt.Sprintf("output %s is a %T, not a list", OutSourceAccountIDs, values[OutSourceAccountIDs]))
	}
	for _, item := range list {
		id, _ := item.(string)
		c.SourceAccountIDs = append(c.SourceAccountIDs, id)
	}
	// The organization outputs are newer than contract version 1: an archive without them admits none.
	if d, err := ref.GetOutputDetails(OutSourceOrganizationID); err == nil && d.Value != nil {
		c.OrganizationID, _ = d.Value.(string)
	}
	if d, err := ref.GetOutputDetails(OutSourceOrganizationPaths); err == nil && d.Value != nil {
		paths, _ := d.Value.([]any)
		for _, p := range paths {
			s, _ := p.(string)
			c.OrganizationPaths = append(c.OrganizationPaths, s)
		}
	}
	// Newer than contract version 1 too: an archive without it has no sinks.
	if d, err := ref.GetOutputDetails(OutMonitoringSinkArns); err == nil && d.Value != nil {
		sinks, ok := d.Value.(map[string]any)
		if !ok {
			problems = append(problems, fmt.Sprintf("output %s is a %T, not a map of Regions to sink ARNs", OutMonitoringSinkArns, d.Value))
		}
		for region, v := range sinks {
			arn, _ := v.(string)
			if c.MonitoringSinkArns == nil {
				c.MonitoringSinkArns = map[string]string{}
			}
			c.MonitoringSinkArns[region] = arn
		}
	}
	if len(problems) > 0 {
		return c, fail("the archive's outputs are malformed: "+strings.Join(problems, "; "), upFirst)
	}

	// The values each check: a malformed contract must never reach a policy or a replication rule.
	for _, p := range []struct {
		name string
		err  error
	}{
		{OutArchiveAccountID, components.ValidateAccountID(c.AccountID)},
		{OutArchiveRegion, components.ValidateRegion(c.Region)},
		{OutArchiveBucketName, components.ValidateBucketName(c.BucketName)},
		{OutReplicationRoleName, components.ValidateRoleName(c.RoleName)},
		{OutReplicationRolePath, components.ValidateRolePath(c.RolePath)},
	} {
		if p.err != nil {
			problems = append(problems, fmt.Sprintf("output %s: %v", p.name, p.err))
		}
	}
	if len(problems) > 0 {
		return c, fail("the archive's outputs are malformed: "+strings.Join(problems, "; "), upFirst)
	}
	// R4.9: replicas encrypted under an alias or a key outside the archive account are unreadable there.
	if err := components.ValidateKMSKeyArn(c.KeyArn, c.AccountID, c.Region); err != nil {
		return c, fail(fmt.Sprintf("output %s must be the full ARN of a key in the archive account and Region (R4.9): %v", OutArchiveKeyArn, err), upFirst)
	}
	if want := components.BucketArn(c.Region, c.BucketName); bucketArn != want {
		return c, fail(fmt.Sprintf("output %s is %q, but the bucket %s has the ARN %s", OutArchiveBucketArn, bucketArn, c.BucketName, want), upFirst)
	}

	account := s.Args.AccountID
	if account == c.AccountID {
		return c, stackconfig.Errors{&stackconfig.Error{File: s.File, Key: stackconfig.KeySourceAccountID, Value: fmt.Sprintf("%q", account),
			Problem: "is the archive account itself", Fix: "a source stack runs in a source account; set log-archive:sourceAccountId to that account"}}
	}
	if c.OrganizationID != "" {
		if err := components.ValidateOrganizationID(c.OrganizationID); err != nil {
			return c, fail(fmt.Sprintf("output %s is malformed: %v", OutSourceOrganizationID, err), upFirst)
		}
	}
	switch {
	case slices.Contains(c.SourceAccountIDs, account):
	case c.OrganizationID != "":
		// R2.12: membership is decided by AWS at each request; checking it here would need
		// organizations:DescribeOrganization in this account, and an answer the offline plan cannot give.
		scope := "organization " + c.OrganizationID
		if len(c.OrganizationPaths) > 0 {
			scope += " (OUs " + strings.Join(c.OrganizationPaths, ", ") + ")"
		}
		stackconfig.Warn(ctx, fmt.Sprintf("the archive admits %s, not account %s by name; if this account is outside it, every object fails to replicate (DstPutObjectNotPermitted, R5.4). "+
			"Check with `aws organizations describe-organization` and `aws organizations list-parents` in this account, or list %s in %s of %s",
			scope, account, account, stackconfig.KeySourceAccountIDs, destFile))
	default:
		return c, fail(
			fmt.Sprintf("the archive does not accept source account %s (it accepts %s)", account, listOrNone(c.SourceAccountIDs)),
			fmt.Sprintf("add %q to log-archive:sourceAccountIds in %s, run `pulumi up --stack %s`, then run this stack again",
				account, destFile, stackconfig.DestinationStackName(s.DestinationStack)))
	}
	return c, nil
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "no account yet"
	}
	return strings.Join(list, ", ")
}
