package stackconfig

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
	"log-archive/internal/awsid"
)

var validateRegion = awsid.ValidateRegion

// objectLockConfig is the shape of log-archive:objectLock.
type objectLockConfig struct {
	Mode string `json:"mode"`
	Days int    `json:"days"`
}

// organizationConfig is the shape of log-archive:sourceOrganization.
type organizationConfig struct {
	ID    string   `json:"id"`
	Paths []string `json:"paths"`
}

// lifecycleConfig is the shape of log-archive:lifecycle.
type lifecycleConfig struct {
	NoncurrentTransitionDays         int    `json:"noncurrentTransitionDays"`
	NoncurrentTransitionStorageClass string `json:"noncurrentTransitionStorageClass"`
	NoncurrentExpirationDays         int    `json:"noncurrentExpirationDays"`
}

// DestinationSettings is the archive stack's configuration: the archive's arguments and its fleet view.
type DestinationSettings struct {
	Args       *components.DestinationArchiveArgs
	Monitoring Monitoring
	File       string
	// Provider is every setting of the stack's default AWS provider but its Region, by the provider's
	// input names: what the providers of the fleet view's other Regions are built from.
	Provider pulumi.Map
}

// LoadDestination reads the archive stack's configuration into DestinationArchive arguments.
func LoadDestination(ctx *pulumi.Context) (*components.DestinationArchiveArgs, error) {
	s, err := LoadDestinationSettings(ctx)
	if err != nil {
		return nil, err
	}
	return s.Args, nil
}

// LoadDestinationSettings reads the archive stack's configuration, the fleet view included.
func LoadDestinationSettings(ctx *pulumi.Context) (*DestinationSettings, error) {
	r := newReader(ctx)
	r.rejectOtherKindKeys(KindDestination, SourceKeys)
	r.rejectUnknownKeys(ctx)
	args := &components.DestinationArchiveArgs{
		Region:              r.region(),
		ReplicationRoleName: DefaultReplicationRoleName,
		ReplicationRolePath: DefaultReplicationRolePath,
		KeyAlias:            DefaultKeyAlias,
	}

	args.AccountID = r.str(KeyArchiveAccountID, true, `set log-archive:archiveAccountId to the 12-digit ID of the archive account, in quotes`)
	if args.AccountID != "" && r.check(KeyArchiveAccountID, args.AccountID, awsid.ValidateAccountID(args.AccountID),
		`write the archive account's 12-digit ID in quotes, e.g. "111111111111"`) {
		r.allowedAccounts(args.AccountID)
	}

	args.BucketName = r.str(KeyArchiveBucketName, true, "set log-archive:archiveBucketName to a globally unique S3 bucket name")
	if args.BucketName != "" {
		r.check(KeyArchiveBucketName, args.BucketName, awsid.ValidateBucketName(args.BucketName),
			"choose a name of 3-63 lowercase letters, digits and hyphens that starts and ends with a letter or digit, e.g. acme-log-archive-eu-west-1")
	}

	// Not required: an archive can be stood up before its first source account is known.
	args.SourceAccountIDs = r.accountIDs(KeySourceAccountIDs, false, "")
	seen := map[string]int{}
	for i, id := range args.SourceAccountIDs {
		key := fmt.Sprintf("%s[%d]", KeySourceAccountIDs, i)
		if id == "" { // already reported: empty, or not a string
			continue
		}
		if !r.check(key, id, awsid.ValidateAccountID(id), `write each source account's 12-digit ID in quotes, e.g. "222222222222"`) {
			continue
		}
		if id == args.AccountID {
			r.fail(key, quote(id), "is the archive account itself",
				"remove it: the archive account does not replicate into itself; list only the source accounts")
		}
		if j, dup := seen[id]; dup {
			r.fail(key, quote(id), fmt.Sprintf("is listed twice (also at [%d])", j), "remove the duplicate")
		}
		seen[id] = i
	}

	var org organizationConfig
	if r.object(KeySourceOrganization, &org, "{id: o-a1b2c3d4e5, paths: [o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/]}") {
		args.SourceOrganization = &components.SourceOrganization{ID: org.ID, Paths: org.Paths}
		if org.ID == "" {
			r.fail(KeySourceOrganization+".id", "", "this field is required",
				"set id to your organization's ID, o- and 10 or more characters (`aws organizations describe-organization --query Organization.Id`)")
		} else {
			r.check(KeySourceOrganization+".id", org.ID, awsid.ValidateOrganizationID(org.ID),
				"copy the ID from `aws organizations describe-organization --query Organization.Id`")
		}
		for i, p := range org.Paths {
			r.check(fmt.Sprintf("%s.paths[%d]", KeySourceOrganization, i), p, awsid.ValidateOrganizationPath(org.ID, p),
				"write the OU's full path from the organization root, ending in /: <org id>/<root id>/<ou id>/ ... e.g. "+
					"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ (the console shows the IDs; each path admits its OU and the OUs below it)")
			if slices.Index(org.Paths, p) != i {
				r.fail(fmt.Sprintf("%s.paths[%d]", KeySourceOrganization, i), quote(p), "is listed twice", "remove the duplicate")
			}
		}
	}

	// R2.13: the fallback for an archive whose "*" grant Access Analyzer objects to (docs/public-access.md).
	if v := r.raw(KeySourcePrincipals); v != "" {
		args.SourcePrincipals = components.SourcePrincipalMode(v)
		fix := "write accountCondition (the default: \"*\" with aws:PrincipalAccount) or accountPrincipals (each listed account's root " +
			"as the principal, the fallback of docs/public-access.md)"
		if args.SourceOrganization != nil && args.SourcePrincipals == components.SourceAccountsAsPrincipals {
			fix = "remove log-archive:sourcePrincipals, or remove log-archive:sourceOrganization and list every source account in " +
				"log-archive:sourceAccountIds. If IAM Access Analyzer objects to the organization's grant, see docs/public-access.md"
		}
		r.check(KeySourcePrincipals, v, components.ValidateSourcePrincipals(args.SourcePrincipals, args.SourceOrganization), fix)
	}

	if v := r.raw(KeyReplicationRoleName); v != "" {
		args.ReplicationRoleName = v
		r.check(KeyReplicationRoleName, v, awsid.ValidateRoleName(v), "use 1-64 letters, digits or +=,.@_-, or remove the key for the default "+DefaultReplicationRoleName)
	}
	if v := r.raw(KeyReplicationRolePath); v != "" {
		args.ReplicationRolePath = v
		r.check(KeyReplicationRolePath, v, awsid.ValidateRolePath(v), `use "/" or a path like "/log-archive/", or remove the key for the default`)
	}
	if v := r.raw(KeyKeyAlias); v != "" {
		args.KeyAlias = v
		r.check(KeyKeyAlias, v, awsid.ValidateKeyAlias(v), "use a name like alias/log-archive, or remove the key for the default")
	}
	if v := r.raw(KeyKeyAdministratorArns); v != "" {
		if err := json.Unmarshal([]byte(v), &args.KeyAdministratorArns); err != nil {
			r.fail(KeyKeyAdministratorArns, v, "is not a list of strings", `write a YAML list of IAM ARNs, e.g. ["arn:aws:iam::111111111111:role/SecurityAdmin"]`)
		}
		for i, a := range args.KeyAdministratorArns {
			r.check(fmt.Sprintf("%s[%d]", KeyKeyAdministratorArns, i), a, awsid.ValidatePrincipalArn(a, args.Region),
				"name one existing IAM role or user of the archive's partition exactly, e.g. arn:aws:iam::111111111111:role/SecurityAdmin (KMS rejects principals that do not exist or hold wildcards, R3.3)")
		}
	}

	var ol objectLockConfig
	if r.object(KeyObjectLock, &ol, "{mode: GOVERNANCE or COMPLIANCE, days: N}") {
		args.ObjectLock = r.objectLock(KeyObjectLock, ol)
	}

	var lc lifecycleConfig
	if r.object(KeyLifecycle, &lc, "{noncurrentTransitionDays: N, noncurrentTransitionStorageClass: GLACIER, noncurrentExpirationDays: N}") {
		args.Lifecycle = &components.NoncurrentVersionLifecycle{
			TransitionDays: lc.NoncurrentTransitionDays, TransitionStorageClass: lc.NoncurrentTransitionStorageClass,
			ExpirationDays: lc.NoncurrentExpirationDays,
		}
		raw := r.raw(KeyLifecycle)
		r.check(KeyLifecycle, raw, args.Lifecycle.Validate(),
			"give positive days, a storage class among "+strings.Join(components.LifecycleStorageClasses, ", ")+
				" with the transition, and an expiration later than the transition")
	}

	// C1: creating a trail into a bucket with an S3 Bucket Key needs kms:Decrypt, which the archive key
	// grants no source account, so trails straight into the archive were expected to fail. The option is
	// gone; the key stays declared so the refusal can say what to do instead.
	if r.boolean(KeyAcceptCloudTrail, false) {
		r.fail(KeyAcceptCloudTrail, "true", "is no longer supported: trails cannot be created into the archive, whose S3 Bucket Key needs kms:Decrypt the archive grants no source account (C1)",
			"remove it, and point each account's trail at a log bucket in that account (log-archive:logBuckets with cloudtrail in services), which replicates into the archive. Trails that deliver into the archive today stop when this stack is updated: move them first")
	}
	args.Tags = r.tags()
	settings := &DestinationSettings{Args: args, File: r.file, Provider: r.awsProviderSettings(ctx),
		Monitoring: r.monitoring(KindDestination, args.AccountID, args.Region)}

	if err := r.err(); err != nil {
		return nil, err
	}
	// Every value is valid; what is left is whether the policies fit their AWS limits, and if not, which
	// list to shorten.
	if o := components.ArchivePolicyOverflow(args); o != nil {
		over := strings.Join(o.Policies, "; ")
		for _, l := range o.Lists {
			list := archiveListKeys[l.Field]
			fit := fmt.Sprintf("at most %d %s fit while the other lists are as they are%s", l.Fit, l.Noun, l.ModesNote())
			if l.Fit < 0 {
				fit = "shortening this list alone is not enough: the other lists named here are too long as well"
			}
			fix := list.fix
			if l.Field == "SourceAccountIDs" && args.SourcePrincipals == components.SourceAccountsAsPrincipals {
				fix += ", or go back to log-archive:sourcePrincipals: accountCondition if IAM Access Analyzer accepts it (docs/public-access.md)"
			}
			r.fail(list.key, fmt.Sprintf("(%d %s)", l.Len, l.Noun), over+": "+fit, fix)
		}
		return nil, r.err()
	}
	return settings, nil
}

// archiveListKeys are the configuration keys of the lists that grow the archive policies, and how to
// shorten each.
var archiveListKeys = map[string]struct{ key, fix string }{
	"SourceAccountIDs": {KeySourceAccountIDs,
		"list fewer source accounts in this archive and put the rest in a second destination stack, or admit them by organization or OU with " + KeySourceOrganization + " (R2.12)"},
	"SourceOrganization.Paths": {KeySourceOrganization + ".paths",
		"name fewer OU paths: a path admits its OU and every OU below it, so name a common parent OU, or remove paths to admit the whole organization (R2.12)"},
	"KeyAdministratorArns": {KeyKeyAdministratorArns,
		"name fewer key administrators: let them assume one administrator role and name that role (R3.5)"},
}

// objectLock checks an Object Lock retention read from key (H3).
func (r *reader) objectLock(key string, ol objectLockConfig) *components.ObjectLockRetention {
	if !slices.Contains(components.ObjectLockModes, ol.Mode) {
		r.fail(key+".mode", quote(ol.Mode), "is not an Object Lock mode",
			"use GOVERNANCE (users with s3:BypassGovernanceRetention can shorten it) or COMPLIANCE (nobody can, not even root) (H3)")
	}
	if ol.Days < 1 || ol.Days > 36500 {
		r.fail(key+".days", fmt.Sprint(ol.Days), "is not a positive number of days",
			"set the default retention in days, from 1 to 36500, e.g. 365")
	}
	return &components.ObjectLockRetention{Mode: ol.Mode, Days: ol.Days}
}

func (r *reader) tags() map[string]string {
	var tags map[string]string
	if r.object(KeyTags, &tags, `a map of strings, e.g. {team: security, cost-center: "1234"}`) {
		r.check(KeyTags, r.raw(KeyTags), awsid.ValidateTags(tags), "keep at most 40 tags, keys of 1-128 characters not starting with aws:, values of at most 256, using letters, digits, spaces and _ . : / = + - @")
	}
	return tags
}

func jsonList(ids []string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}
