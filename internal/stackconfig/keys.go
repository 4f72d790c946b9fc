package stackconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
)

// Kind says which component a stack builds.
type Kind string

const (
	KindDestination Kind = "destination"
	KindSource      Kind = "source"
)

// The program's own keys (namespace log-archive), each declared in KeyTable below, from which Pulumi.yaml
// and docs/configuration.md are generated.
const (
	KeyStackKind = Namespace + ":stackKind"

	KeyArchiveAccountID     = Namespace + ":archiveAccountId"
	KeyArchiveBucketName    = Namespace + ":archiveBucketName"
	KeySourceAccountIDs     = Namespace + ":sourceAccountIds"
	KeySourceOrganization   = Namespace + ":sourceOrganization"
	KeySourcePrincipals     = Namespace + ":sourcePrincipals"
	KeyReplicationRoleName  = Namespace + ":replicationRoleName"
	KeyReplicationRolePath  = Namespace + ":replicationRolePath"
	KeyKeyAlias             = Namespace + ":keyAlias"
	KeyKeyAdministratorArns = Namespace + ":keyAdministratorArns"
	KeyObjectLock           = Namespace + ":objectLock"
	KeyLifecycle            = Namespace + ":lifecycle"
	KeyAcceptCloudTrail     = Namespace + ":acceptCloudTrail"

	KeyDestinationStack       = Namespace + ":destinationStack"
	KeySourceAccountID        = Namespace + ":sourceAccountId"
	KeySourceBuckets          = Namespace + ":sourceBuckets"
	KeyLogBuckets             = Namespace + ":logBuckets"
	KeyReplicaStorageClass    = Namespace + ":replicaStorageClass"
	KeyReplicationTimeControl = Namespace + ":replicationTimeControl"
	KeyReplicateDeleteMarkers = Namespace + ":replicateDeleteMarkers"
	KeyReplicationMetrics     = Namespace + ":replicationMetrics"
	KeyAlarms                 = Namespace + ":alarms"

	KeyTags = Namespace + ":tags"
	// KeyMonitoring is the fleet view, read by both kinds (docs/fleet-health.md).
	KeyMonitoring = Namespace + ":monitoring"

	// The AWS provider's keys, which the program reads too: the Region everything is created in, and the
	// account guard. Pulumi.yaml cannot declare types for another namespace's keys (ProviderKeys).
	KeyRegion            = "aws:region"
	KeyAllowedAccountIDs = "aws:allowedAccountIds"
)

// Defaults for optional keys.
const (
	DefaultReplicationRoleName = "log-archive-replication"
	DefaultReplicationRolePath = "/log-archive/"
	DefaultKeyAlias            = "alias/log-archive"
)

// Declaration is one of the program's keys: how Pulumi.yaml declares it (type, default) and how
// docs/configuration.md documents it. Both files are generated from KeyTable (`go generate ./...`, see
// internal/reference), and a test fails when either drifts from it, so adding a key is one row below plus
// the code that reads it.
//
// The CLI treats every project key declared without a default as required in EVERY stack, and merges
// declared defaults into every stack before the program runs, so the program cannot tell a default from a
// value the user wrote (../shared/engine.md). So every key but stackKind is declared with a default, and
// the program reads a value equal to its key's declared default as "not set". Defaults are chosen so that
// this reading is exact: a required key defaults to the empty value, which is never valid; an optional key
// defaults to what the program does without it. A key of the other stack kind that still holds its
// default is therefore indistinguishable from an absent one, and one that holds anything else is refused.
type Declaration struct {
	Key     string
	Kind    Kind   // "" for keys both kinds read
	Type    string // string, boolean, array or object (Pulumi's config types)
	Items   string // the item type of an array
	Default any    // as YAML decodes it; nil only for stackKind, which every stack must set
	// Required: the stack kind cannot run without it (its default is the empty value, which reads as unset).
	Required bool
	// Unset says what the program does when the key is not set, in the docs' default column; "" shows the
	// default itself.
	Unset string
	// Description is what the key is for, one or two sentences: Pulumi.yaml's description and the start of
	// the docs' meaning.
	Description string
	// Rules is what a user must know about a value beyond its type (shape, limits, what cannot be undone),
	// with the fact IDs of docs/aws-requirements.md; it follows the description in both files.
	Rules string
}

// KeyTable is every key of the program's namespace, in the order the docs list them.
var KeyTable = []Declaration{
	{Key: KeyStackKind, Type: "string", Required: true,
		Description: `"destination" for the archive account's stack, "source" for a source account's stack.`,
		Rules:       "The only key the Pulumi CLI itself requires."},
	{Key: KeyTags, Type: "object", Default: map[string]any{}, Unset: "none",
		Description: "Tags for every taggable resource (KMS key, bucket, IAM role).",
		Rules:       "At most 40; no `aws:`-prefixed keys."},
	{Key: KeyMonitoring, Type: "object", Default: map[string]any{}, Unset: "off",
		Description: "The fleet view (docs/fleet-health.md): CloudWatch cross-account observability of replication across the fleet.",
		Rules:       "Archive stack: `{enabled: true, regions: [Regions of source buckets], topicArns: {<region>: arn:aws:sns:...}}`: an OAM sink, a dashboard and a fleet alarm in its own Region and each listed one [M1, M6, M7]. Source stacks: `{enabled: true}` links the account to those sinks in its buckets' Regions and the archive's, sharing only `AWS/S3` metrics [M3, M5]; the archive must have a sink in each."},

	{Key: KeyArchiveAccountID, Kind: KindDestination, Type: "string", Default: "", Required: true,
		Description: "The 12-digit ID of the archive account, quoted.",
		Rules:       "`aws:allowedAccountIds` must be exactly this account."},
	{Key: KeyArchiveBucketName, Kind: KindDestination, Type: "string", Default: "", Required: true,
		Description: "Name of the archive bucket to create.",
		Rules:       "S3's naming rules, globally unique; renaming it is refused (the bucket is protected)."},
	{Key: KeySourceAccountIDs, Kind: KindDestination, Type: "array", Items: "string", Default: []any{}, Unset: "none",
		Description: "Quoted 12-digit IDs of the accounts allowed to replicate into the archive, named by `aws:PrincipalAccount` [R2.11].",
		Rules:       "No account twice, never the archive account; the bucket policy's size bounds the count (`go run ./cmd/plan limits`)."},
	{Key: KeySourceOrganization, Kind: KindDestination, Type: "object", Default: map[string]any{}, Unset: "none",
		Description: "An AWS Organization whose accounts may replicate in, or only those of the OUs listed (and the OUs below them), beside or instead of sourceAccountIds [R2.12].",
		Rules:       "`{id: o-..., paths: [o-.../r-.../ou-.../]}`; `paths` is optional, each a path of that organization ending in `/`, without wildcards."},
	{Key: KeySourcePrincipals, Kind: KindDestination, Type: "string", Default: string(components.SourceAccountsInCondition),
		Description: "How the archive's policies name the listed accounts: `accountCondition` (`\"*\"` with `aws:PrincipalAccount`, the default) or `accountPrincipals` (each account's root ARN) [R2.13].",
		Rules:       "`accountPrincipals` is the fallback when IAM Access Analyzer judges the default public (docs/public-access.md): never public, fewer accounts fit, and every listed account must exist [R2.11]; not with sourceOrganization."},
	{Key: KeyReplicationRoleName, Kind: KindDestination, Type: "string", Default: DefaultReplicationRoleName,
		Description: "Name of the replication role every source account creates and the archive trusts.",
		Rules:       "1 to 64 letters, digits and `+=,.@_-` [R2.4]; never changed in place (every source stack refuses)."},
	{Key: KeyReplicationRolePath, Kind: KindDestination, Type: "string", Default: DefaultReplicationRolePath,
		Description: "IAM path of that role.",
		Rules:       "`/` or `/segments/`, without `*` or `?`, which would widen the archive's pin [R2.4]; never changed in place."},
	{Key: KeyKeyAlias, Kind: KindDestination, Type: "string", Default: DefaultKeyAlias,
		Description: "Alias of the archive KMS key.",
		Rules:       "`alias/...`, outside `alias/aws/`."},
	{Key: KeyKeyAdministratorArns, Kind: KindDestination, Type: "array", Items: "string", Default: []any{}, Unset: "none",
		Description: "Existing IAM roles or users that administer the archive key: they never disable or delete it, create grants or rewrite its policy.",
		Rules:       "Role, user or account-root ARNs of the archive's partition, without wildcards [R3.3]."},
	{Key: KeyObjectLock, Kind: KindDestination, Type: "object", Default: map[string]any{}, Unset: "off",
		Description: "Object Lock default retention of the archive bucket.",
		Rules:       "`{mode: GOVERNANCE|COMPLIANCE, days: N}`, 1 to 36,500 days; can be added to an existing archive (an in-place update) but never turned off again [H3]."},
	{Key: KeyLifecycle, Kind: KindDestination, Type: "object", Default: map[string]any{}, Unset: "off",
		Description: "Lifecycle of noncurrent versions; current versions are never expired, and expired delete markers and stale multipart uploads are always cleaned [H5].",
		Rules:       "`{noncurrentTransitionDays, noncurrentTransitionStorageClass, noncurrentExpirationDays}`."},
	{Key: KeyAcceptCloudTrail, Kind: KindDestination, Type: "boolean", Default: false,
		Description: "No longer supported: `true` is refused.",
		Rules:       "Creating a trail into the archive needs `kms:Decrypt` on its key (it has an S3 Bucket Key), which no source account has [C1]; point each trail at a log bucket in its account instead."},

	{Key: KeyDestinationStack, Kind: KindSource, Type: "string", Default: "", Required: true,
		Description: "The archive stack to read the contract from.",
		Rules:       "`organization/log-archive/destination` on a self-managed backend, `<your-pulumi-org>/log-archive/destination` on Pulumi Cloud."},
	{Key: KeySourceAccountID, Kind: KindSource, Type: "string", Default: "", Required: true,
		Description: "The 12-digit ID of this source account, quoted.",
		Rules:       "`aws:allowedAccountIds` must be exactly this account; never the archive account."},
	{Key: KeySourceBuckets, Kind: KindSource, Type: "array", Items: "object", Default: []any{}, Unset: "none",
		Description: "Existing buckets in this account to replicate.",
		Rules:       "`[{name, kmsKeyArns: [full key ARNs], prefix, objectLock, region}]`; `region` defaults to `aws:region`. Keys are full ARNs in the bucket's account and Region, never aliases [R1.13, R4.9]; a prefix is literal. This key, `logBuckets`, or both; a name appears under one key only."},
	{Key: KeyLogBuckets, Kind: KindSource, Type: "array", Items: "object", Default: []any{}, Unset: "none",
		Description: "Log buckets to create and replicate whole, each with its own key, for GuardDuty, CloudTrail and VPC Flow Logs.",
		Rules:       "`[{name, services: [guardduty, cloudtrail, vpc-flow-logs], guardDutyDetectorId, trailNames, serviceRegion, adoptKeyArn, region}]`: `guardduty` needs `guardDutyDetectorId`, `cloudtrail` needs `trailNames`; `objectLock` is refused: no AWS page shows these services writing into a locked bucket [H8]. This key, `sourceBuckets`, or both."},
	{Key: KeyReplicaStorageClass, Kind: KindSource, Type: "string", Default: "", Unset: "the source object's class",
		Description: "Storage class of the replicas [R4.13].",
		Rules:       "`STANDARD`, `STANDARD_IA`, `ONEZONE_IA`, `INTELLIGENT_TIERING`, `GLACIER_IR`, `GLACIER` or `DEEP_ARCHIVE`."},
	{Key: KeyReplicationTimeControl, Kind: KindSource, Type: "boolean", Default: false,
		Description: "S3 Replication Time Control: a 15-minute SLA, billed per GB [R4.7].",
		Rules:       "Needs `replicationMetrics`."},
	{Key: KeyReplicateDeleteMarkers, Kind: KindSource, Type: "boolean", Default: false,
		Description: "Replicate delete markers into the archive [R4.6].",
		Rules:       "Keep it off: a delete at the source then never hides archived logs."},
	{Key: KeyReplicationMetrics, Kind: KindSource, Type: "boolean", Default: true,
		Description: "CloudWatch replication metrics per rule, needed to see failures [R5.10]."},
	{Key: KeyAlarms, Kind: KindSource, Type: "object", Default: map[string]any{}, Unset: "on",
		Description: "Replication alarms per rule, on whenever the rules publish metrics; the stack outputs each Region's topic as `alarmTopicArns` [R5.10].",
		Rules:       "`{enabled: false}` turns them off; `{topicArns: {<region>: arn:aws:sns:<region>:<account>:<topic>}}` sends a Region's alarms to an existing topic (its policy must let `cloudwatch.amazonaws.com` publish) instead of the `log-archive-replication-alarms` topic the stack creates there."},
}

// ProviderKeys are the AWS provider's keys the program reads too. Pulumi.yaml cannot declare another
// namespace's keys, so only the docs list them.
var ProviderKeys = []Declaration{
	{Key: KeyRegion, Type: "string", Required: true,
		Description: "The Region the stack deploys to; a source stack's buckets default to it.",
		Rules:       "A Region of the `aws`, `aws-cn` or `aws-us-gov` partition that exists [R0.1]; a source and its archive in one partition."},
	{Key: KeyAllowedAccountIDs, Type: "array", Items: "string", Required: true,
		Description: "The AWS provider's account guard: a credential for any other account fails before any change.",
		Rules:       "Exactly the stack's account, quoted."},
}

// Declarations is KeyTable by key.
var Declarations = func() map[string]Declaration {
	m := make(map[string]Declaration, len(KeyTable))
	for _, d := range KeyTable {
		m[d.Key] = d
	}
	return m
}()

// ConfigValue is the default as the Pulumi CLI hands it to the program: scalars printed, lists and
// objects as compact JSON ("" when there is no default).
func (d Declaration) ConfigValue() string {
	switch v := d.Default.(type) {
	case nil:
		return ""
	case string, bool, int:
		return fmt.Sprint(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			panic(err) // the table above holds only JSON values
		}
		return string(b)
	}
}

// isDeclaredDefault says whether v is the declared default of key, comparing JSON values by content.
func isDeclaredDefault(key, v string) bool {
	d, ok := Declarations[key]
	if !ok || d.Default == nil {
		return false
	}
	want := d.ConfigValue()
	if v == want {
		return true
	}
	var a, b bytes.Buffer
	return json.Compact(&a, []byte(v)) == nil && json.Compact(&b, []byte(want)) == nil && a.String() == b.String()
}

// keysOf lists the declared keys a stack kind reads ("" for the keys both kinds read).
func keysOf(kind Kind) []string {
	var keys []string
	for k, d := range Declarations {
		if d.Kind == kind {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// DestinationKeys and SourceKeys are the program's keys by stack kind; CommonKeys apply to both.
var (
	CommonKeys      = keysOf("")
	DestinationKeys = keysOf(KindDestination)
	SourceKeys      = keysOf(KindSource)
)

// ReadKind returns the stack's kind.
func ReadKind(ctx *pulumi.Context) (Kind, error) {
	r := newReader(ctx)
	fix := `set log-archive:stackKind to "destination" for the archive account's stack or "source" for a source account's stack`
	switch k := Kind(r.str(KeyStackKind, true, fix)); k {
	case KindDestination, KindSource:
		return k, nil
	case "":
		r.rejectUnknownKeys(ctx) // log-archive:stackkind, say
		return "", r.err()
	default:
		r.fail(KeyStackKind, quote(string(k)), "is not a stack kind", fix)
		return "", r.err()
	}
}

// rejectOtherKindKeys reports keys that belong to the other kind of stack: they would be silently ignored.
func (r *reader) rejectOtherKindKeys(kind Kind, keys []string) {
	for _, k := range keys {
		if v := r.raw(k); v != "" {
			r.fail(k, v, "belongs to the other kind of stack; a "+string(kind)+" stack does not read it",
				"remove it from "+r.file+", or check log-archive:stackKind")
		}
	}
}

// region reads aws:region, the Region every resource of the stack is created in (the component checks it).
func (r *reader) region() string {
	return r.str(KeyRegion, true, "set aws:region to the Region this stack deploys to, e.g. eu-west-1")
}

// allowedAccounts checks that aws:allowedAccountIds is exactly the stack's account, so a credential for
// any other account fails before anything changes.
func (r *reader) allowedAccounts(account string) {
	fix := `set aws:allowedAccountIds to ["` + account + `"] so a credential for another account fails before any change`
	ids := r.accountIDs(KeyAllowedAccountIDs, true, fix)
	if len(ids) == 0 || account == "" {
		if ids != nil && len(ids) == 0 {
			r.fail(KeyAllowedAccountIDs, "[]", "is empty", fix)
		}
		return
	}
	if slices.Contains(ids, "") { // reported by accountIDs
		return
	}
	if len(ids) != 1 || ids[0] != account {
		r.fail(KeyAllowedAccountIDs, jsonList(ids), "must be exactly this stack's account, "+account, fix)
	}
}
