// Command fakeaws is a stand-in for the pulumi-resource-aws plugin, for the engine tests in
// internal/enginetest. The engine test installs it as $PULUMI_HOME/plugins/resource-aws-v6.83.4/
// pulumi-resource-aws so that the real Pulumi CLI and engine run this project's real program end to end
// without AWS.
//
// It is a test double at the provider boundary: it proves what the engine does (order of creates, replaces
// and deletes, protect, retainOnDelete, imports, StackReferences), not what AWS does. It models just enough
// of AWS for that:
//   - computed outputs shaped like AWS's (ARNs with the configured account and Region, key IDs), because
//     the program's source stack validates the archive's key ARN it reads through the StackReference;
//   - replacement for the properties pulumi-aws marks ForceNew, so the engine plans replaces, not updates:
//     the resource-type catalogue's list (internal/catalog), which the offline plan's review reads too;
//   - a record of every resource that "exists in AWS", one JSON file each under $FAKEAWS_STATE_DIR, which
//     outlives the plugin process and the stack state: the test reads it to see what a destroy really
//     deleted, and the plugin's Read serves it to imports and refreshes;
//   - per provider, its Region: the engine runs one plugin process per provider configuration, so a stack's
//     explicit providers for other Regions create their records (and ARNs) in those Regions;
//   - when $FAKEAWS_OPLOG names a file, one line per completed create, update and delete, in the order they
//     completed, so a test can check what the engine did before what;
//   - AWS's name clashes: creating a bucket, role or alias whose name exists fails as AWS fails, and the
//     PUT-style bucket and role sub-resources overwrite (so create-before-delete replacement of one of
//     them ends with the delete removing what the create wrote, exactly as in AWS);
//   - and louder than AWS: a second resource of one stack that creates an object another resource of the
//     stack already created (same type and name, in the same account and Region) fails. AWS would let an
//     SNS topic be shared (CreateTopic is idempotent) and a Put* overwrite, and the stack would break
//     silently later; the engine test must see it;
//   - pulumi-aws's DiffConfig: a provider whose Region changes replaces what it manages (pulumi-aws#4000),
//     so a resource that moves to a provider of another Region is replaced, and to one of the same Region
//     is not.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"log-archive/internal/catalog"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/urn"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is what the pulumi-aws v6.83.4 SDK asks the engine for (its pulumi-plugin.json and every
// resource's default Version option); the engine refuses a plugin that reports another.
const version = "6.83.4"

// StateDirEnv names the directory of the "AWS" records. The engine hands its own environment to plugins,
// so the test sets it on the CLI.
const StateDirEnv = "FAKEAWS_STATE_DIR"

// OpLogEnv optionally names the operations log (see logOp).
const OpLogEnv = "FAKEAWS_OPLOG"

func main() {
	if err := serve(); err != nil {
		fmt.Fprintln(os.Stderr, "fake aws provider:", err)
		os.Exit(1)
	}
}

// serve speaks the plugin protocol: serve gRPC on a free port, print the port, stop on SIGINT (how the
// engine ends a plugin) or when the engine, whose address is the one argument, stops answering. It does
// what sdk/v3/go/pulumi/provider.Main does; that package would add OpenTelemetry modules to go.sum.
func serve() error {
	dir := os.Getenv(StateDirEnv)
	if dir == "" {
		return fmt.Errorf("set %s to the directory that records what exists", StateDirEnv)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	if len(os.Args) > 1 {
		if err := rpcutil.Healthcheck(ctx, os.Args[len(os.Args)-1], 5*time.Minute, cancel); err != nil {
			return err
		}
	}
	stop := make(chan bool)
	go func() { <-ctx.Done(); close(stop) }()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, &fakeAWS{dir: dir, account: "123456789012", region: "us-east-1"})
			return nil
		},
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}

// alreadyExists is the error AWS answers when a create names an entity that exists. Types not listed are
// PUT-style in AWS (bucket policy, versioning, role policy, ...): a second create overwrites.
var alreadyExists = map[string]func(id string, sameAccount bool) string{
	string(catalog.S3Bucket): func(id string, sameAccount bool) string {
		if sameAccount {
			return "BucketAlreadyOwnedByYou: Your previous request to create the named bucket succeeded and you already own it."
		}
		return "BucketAlreadyExists: The requested bucket name is not available."
	},
	string(catalog.IAMRole): func(id string, _ bool) string {
		return fmt.Sprintf("EntityAlreadyExists: Role with name %s already exists.", id)
	},
	string(catalog.KMSAlias): func(id string, _ bool) string {
		return fmt.Sprintf("AlreadyExistsException: An alias with the name %s already exists", id)
	},
}

// Record is one resource that exists in the fake AWS. Inputs and Outputs are Pulumi property maps in their
// gRPC JSON form.
type Record struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	URN     string          `json:"urn"` // of the resource that created or last updated it
	Account string          `json:"account"`
	Region  string          `json:"region"`
	Inputs  json.RawMessage `json:"inputs"`
	Outputs json.RawMessage `json:"outputs"`
}

type fakeAWS struct {
	pulumirpc.UnimplementedResourceProviderServer

	dir string
	mu  sync.Mutex // the engine calls in parallel; a check-then-write on the records must not interleave

	account, region string // from the provider configuration (aws:allowedAccountIds[0], aws:region)
}

var marshalOpts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}

func (p *fakeAWS) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *fakeAWS) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"aws","version":"` + version + `"}`}, nil
}

func (p *fakeAWS) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *fakeAWS) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	// A changed provider configuration (profile, accounts, tags) updates the provider in place; a changed
	// Region replaces every resource under it, as pulumi-aws does since v6.38 (pulumi/pulumi-aws#4000).
	return p.diff(string(catalog.AWSProvider), req)
}

func (p *fakeAWS) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	cfg := req.GetArgs().AsMap()
	// Variables are deprecated for Args, but an engine may still send the configuration only there.
	//lint:ignore SA1019 read only when Args lacks the key
	if v, ok := req.GetVariables()["aws:config:region"]; ok && cfg["region"] == nil {
		cfg["region"] = v
	}
	//lint:ignore SA1019 read only when Args lacks the key
	if v, ok := req.GetVariables()["aws:config:allowedAccountIds"]; ok && cfg["allowedAccountIds"] == nil {
		cfg["allowedAccountIds"] = v
	}
	if r, ok := cfg["region"].(string); ok && r != "" {
		p.region = r
	}
	// The engine may send a list, or the config value's JSON text.
	ids := cfg["allowedAccountIds"]
	if s, ok := ids.(string); ok {
		var list []any
		if json.Unmarshal([]byte(s), &list) == nil {
			ids = list
		}
	}
	if list, ok := ids.([]any); ok && len(list) > 0 {
		if a, ok := list[0].(string); ok && a != "" {
			p.account = a
		}
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (p *fakeAWS) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *fakeAWS) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return p.diff(typeOf(req.GetUrn()), req)
}

// diff compares the old inputs with the new ones: any change is an update, a change to a ForceNew input
// a replacement (create-before-delete: DeleteBeforeReplace stays false, as pulumi-aws leaves it).
func (p *fakeAWS) diff(typ string, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	oldStruct := req.GetOldInputs()
	if oldStruct == nil {
		oldStruct = req.GetOlds()
	}
	olds, err := plugin.UnmarshalProperties(oldStruct, marshalOpts)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), marshalOpts)
	if err != nil {
		return nil, err
	}
	d := olds.DiffIncludeUnknowns(news)
	if d == nil || !d.AnyChanges() {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME}
	for _, k := range d.ChangedKeys() {
		resp.Diffs = append(resp.Diffs, string(k))
	}
	// The catalogue's replace-on-change inputs: the same list the offline plan's review diff reads.
	resp.Replaces = catalog.ReplacedBy(catalog.Type(typ), resp.Diffs)
	sort.Strings(resp.Diffs)
	sort.Strings(resp.Replaces)
	return resp, nil
}

func (p *fakeAWS) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	typ := typeOf(req.GetUrn())
	inputs, err := plugin.UnmarshalProperties(req.GetProperties(), marshalOpts)
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		// What AWS assigns is not known before the create: the engine shows it as "output".
		outs := inputs.Copy()
		for k := range p.computed(typ, "", inputs) {
			if _, isInput := inputs[k]; !isInput {
				outs[k] = resource.MakeComputed(resource.NewStringProperty(""))
			}
		}
		props, err := plugin.MarshalProperties(outs, marshalOpts)
		return &pulumirpc.CreateResponse{Properties: props}, err
	}

	id := p.newID(req.GetUrn(), inputs)
	p.mu.Lock()
	defer p.mu.Unlock()
	if existing, err := p.load(typ, id); err == nil {
		if msg, ok := alreadyExists[typ]; ok {
			return nil, fmt.Errorf("creating %s (%s): %s", typ, id, msg(id, existing.Account == p.account))
		}
		if existing.URN != req.GetUrn() && stackOf(existing.URN) == stackOf(req.GetUrn()) {
			return nil, fmt.Errorf("creating %s (%s): %s already created it in account %s and Region %s, and two resources of one stack "+
				"must not own one AWS object (AWS would share or overwrite it, and the delete of either would delete it for both)",
				typ, id, existing.URN, existing.Account, existing.Region)
		}
	}
	outs, err := p.save(req.GetUrn(), typ, id, inputs, req.GetProperties())
	if err != nil {
		return nil, err
	}
	p.logOp("create", req.GetUrn(), id)
	return &pulumirpc.CreateResponse{Id: id, Properties: outs}, nil
}

func (p *fakeAWS) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	typ := typeOf(req.GetUrn())
	inputs, err := plugin.UnmarshalProperties(req.GetNews(), marshalOpts)
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		outs := inputs.Copy()
		for k, v := range p.computed(typ, req.GetId(), inputs) {
			outs[k] = v
		}
		props, err := plugin.MarshalProperties(outs, marshalOpts)
		return &pulumirpc.UpdateResponse{Properties: props}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	outs, err := p.save(req.GetUrn(), typ, req.GetId(), inputs, req.GetNews())
	if err != nil {
		return nil, err
	}
	p.logOp("update", req.GetUrn(), req.GetId())
	return &pulumirpc.UpdateResponse{Properties: outs}, nil
}

func (p *fakeAWS) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Like pulumi-aws, deleting what is already gone succeeds.
	err := os.Remove(p.path(typeOf(req.GetUrn()), req.GetId()))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	p.logOp("delete", req.GetUrn(), req.GetId())
	return &emptypb.Empty{}, nil
}

// OpRecord is one line of the operations log.
type OpRecord struct {
	Op     string `json:"op"` // create, update, delete
	URN    string `json:"urn"`
	ID     string `json:"id"`
	Region string `json:"region"`
}

// logOp appends one completed operation to $FAKEAWS_OPLOG. Every provider process appends to the same
// file; a line is one write on an O_APPEND file, so lines never interleave and their order is the order
// in which the operations completed.
func (p *fakeAWS) logOp(op, u, id string) {
	path := os.Getenv(OpLogEnv)
	if path == "" {
		return
	}
	line, err := json.Marshal(OpRecord{Op: op, URN: u, ID: id, Region: p.region})
	if err != nil {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(append(line, '\n'))
}

// Read serves refresh and import (pulumi.Import, `pulumi import`): the record if it exists, otherwise an
// empty ID, which the engine takes as "does not exist".
func (p *fakeAWS) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rec, err := p.load(typeOf(req.GetUrn()), req.GetId())
	if errors.Is(err, os.ErrNotExist) {
		return &pulumirpc.ReadResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	var ins, outs structpb.Struct
	if err := protojson.Unmarshal(rec.Inputs, &ins); err != nil {
		return nil, err
	}
	if err := protojson.Unmarshal(rec.Outputs, &outs); err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: rec.ID, Properties: &outs, Inputs: &ins}, nil
}

func (p *fakeAWS) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	// The program calls no data sources; if it starts to, the test should say so rather than fake them.
	return nil, fmt.Errorf("fake aws provider: invoke %s is not implemented", req.GetTok())
}

func (p *fakeAWS) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// newID is the ID AWS (as pulumi-aws reports it) gives a new resource of this type: the catalogue's, with
// random digits where AWS or Pulumi choose at random.
func (p *fakeAWS) newID(u string, inputs resource.PropertyMap) string {
	return catalog.NewID(catalog.Type(typeOf(u)), p.location(), catalog.Inputs(inputs.Mappable()), urn.URN(u).Name(), randomHex(16))
}

// computed is what AWS assigns beyond the inputs: the catalogue's, derived from the ID so that Update and
// Read agree with Create.
func (p *fakeAWS) computed(typ, id string, inputs resource.PropertyMap) resource.PropertyMap {
	return resource.NewPropertyMapFromMap(catalog.Outputs(catalog.Type(typ), p.location(), id, catalog.Inputs(inputs.Mappable())))
}

func (p *fakeAWS) location() catalog.Location {
	return catalog.Location{Partition: partitionOf(p.region), Region: p.region, Account: p.account}
}

// save writes the record of typ/id with outputs = inputs + computed values and returns the outputs.
func (p *fakeAWS) save(u, typ, id string, inputs resource.PropertyMap, rawInputs *structpb.Struct) (*structpb.Struct, error) {
	outs := inputs.Copy()
	for k, v := range p.computed(typ, id, inputs) {
		outs[k] = v
	}
	props, err := plugin.MarshalProperties(outs, marshalOpts)
	if err != nil {
		return nil, err
	}
	insJSON, err := protojson.Marshal(rawInputs)
	if err != nil {
		return nil, err
	}
	outsJSON, err := protojson.Marshal(props)
	if err != nil {
		return nil, err
	}
	rec := Record{Type: typ, ID: id, URN: u, Account: p.account, Region: p.region, Inputs: insJSON, Outputs: outsJSON}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, err
	}
	path := p.path(typ, id)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return props, os.WriteFile(path, data, 0o644)
}

func (p *fakeAWS) load(typ, id string) (*Record, error) {
	data, err := os.ReadFile(p.path(typ, id))
	if err != nil {
		return nil, err
	}
	var rec Record
	return &rec, json.Unmarshal(data, &rec)
}

// path is where the record of typ/id lives. The directory is AWS's namespace for the name: bucket names
// (and so the bucket sub-resources keyed by them) are global, IAM names are per account, the rest per
// account and Region. Two source accounts may therefore both own a role "log-archive-replication", but
// no two accounts the same bucket.
func (p *fakeAWS) path(typ, id string) string {
	var scope string
	switch {
	case strings.HasPrefix(typ, "aws:s3/"):
		scope = "s3"
	case strings.HasPrefix(typ, "aws:iam/"):
		scope = filepath.Join(p.account, "iam")
	default:
		scope = filepath.Join(p.account, p.region)
	}
	return filepath.Join(p.dir, scope, url.PathEscape(typ), url.PathEscape(id)+".json")
}

func typeOf(u string) string { return string(urn.URN(u).Type()) }

func stackOf(u string) string { return string(urn.URN(u).Stack()) }

func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
