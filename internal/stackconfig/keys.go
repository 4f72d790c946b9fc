package stackconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Kind says which component a stack builds.
type Kind string

const (
	KindDestination Kind = "destination"
	KindSource      Kind = "source"
)

// The program's own keys (namespace log-archive). Pulumi.yaml declares each with a type and a description;
// a test keeps the two lists equal.
const (
	KeyStackKind = Namespace + ":stackKind"

	KeyArchiveAccountID     = Namespace + ":archiveAccountId"
	KeyArchiveBucketName    = Namespace + ":archiveBucketName"
	KeySourceAccountIDs     = Namespace + ":sourceAccountIds"
	KeySourceOrganization   = Namespace + ":sourceOrganization"
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
	// account guard. Pulumi.yaml cannot declare types for another namespace's keys.
	KeyRegion            = "aws:region"
	KeyAllowedAccountIDs = "aws:allowedAccountIds"
)

// Defaults for optional keys.
const (
	DefaultReplicationRoleName = "log-archive-replication"
	DefaultReplicationRolePath = "/log-archive/"
	DefaultKeyAlias            = "alias/log-archive"
)

// Declaration is how Pulumi.yaml declares one of the program's keys: which stack kind reads it, its type for
// the Pulumi CLI's own check, and its default.
//
// The CLI treats every project key declared without a default as required in EVERY stack, and merges
// declared defaults into every stack before the program runs, so the program cannot tell a default from a
// value the user wrote (../shared/engine.md). So every key but stackKind is declared with a default, and
// the program reads a value equal to its key's declared default as "not set". Defaults are chosen so that
// this reading is exact: a required key defaults to the empty value, which is never valid; an optional key
// defaults to what the program does without it. A key of the other stack kind that still holds its
// default is therefore indistinguishable from an absent one, and one that holds anything else is refused.
type Declaration struct {
	Kind    Kind   // "" for keys both kinds read
	Type    string // string, boolean, array or object (Pulumi's config types)
	Items   string // the item type of an array
	Default any    // as YAML decodes it; nil only for stackKind, which every stack must set
}

// Declarations is every key of the program's namespace; a test keeps Pulumi.yaml equal to it.
var Declarations = map[string]Declaration{
	KeyStackKind:  {Type: "string"},
	KeyTags:       {Type: "object", Default: map[string]any{}},
	KeyMonitoring: {Type: "object", Default: map[string]any{}},

	KeyArchiveAccountID:     {Kind: KindDestination, Type: "string", Default: ""},
	KeyArchiveBucketName:    {Kind: KindDestination, Type: "string", Default: ""},
	KeySourceAccountIDs:     {Kind: KindDestination, Type: "array", Items: "string", Default: []any{}},
	KeySourceOrganization:   {Kind: KindDestination, Type: "object", Default: map[string]any{}},
	KeyReplicationRoleName:  {Kind: KindDestination, Type: "string", Default: DefaultReplicationRoleName},
	KeyReplicationRolePath:  {Kind: KindDestination, Type: "string", Default: DefaultReplicationRolePath},
	KeyKeyAlias:             {Kind: KindDestination, Type: "string", Default: DefaultKeyAlias},
	KeyKeyAdministratorArns: {Kind: KindDestination, Type: "array", Items: "string", Default: []any{}},
	KeyObjectLock:           {Kind: KindDestination, Type: "object", Default: map[string]any{}},
	KeyLifecycle:            {Kind: KindDestination, Type: "object", Default: map[string]any{}},
	KeyAcceptCloudTrail:     {Kind: KindDestination, Type: "boolean", Default: false},

	KeyDestinationStack:       {Kind: KindSource, Type: "string", Default: ""},
	KeySourceAccountID:        {Kind: KindSource, Type: "string", Default: ""},
	KeySourceBuckets:          {Kind: KindSource, Type: "array", Items: "object", Default: []any{}},
	KeyLogBuckets:             {Kind: KindSource, Type: "array", Items: "object", Default: []any{}},
	KeyReplicaStorageClass:    {Kind: KindSource, Type: "string", Default: ""},
	KeyReplicationTimeControl: {Kind: KindSource, Type: "boolean", Default: false},
	KeyReplicateDeleteMarkers: {Kind: KindSource, Type: "boolean", Default: false},
	KeyReplicationMetrics:     {Kind: KindSource, Type: "boolean", Default: true},
	KeyAlarms:                 {Kind: KindSource, Type: "object", Default: map[string]any{}},
}

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

// region reads aws:region, the Region every resource of the stack is created in.
func (r *reader) region() string {
	v := r.str(KeyRegion, true, "set aws:region to the Region this stack deploys to, e.g. eu-west-1")
	if v != "" {
		r.check(KeyRegion, v, validateRegion(v), "use a Region code such as eu-west-1 or us-east-2")
	}
	return v
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
	if len(ids) != 1 || ids[0] != account {
		r.fail(KeyAllowedAccountIDs, jsonList(ids), "must be exactly this stack's account, "+account, fix)
	}
}
