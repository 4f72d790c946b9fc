package contract

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ComputedValue is a field whose value the deployment computes (an ARN AWS assigns, a name a resource
// resolves to), exported as the resource's output rather than as the field's plain value.
type ComputedValue struct {
	field any
	value pulumi.Input
}

// Computed says that field (a pointer into the outputs Publish exports) is exported as value.
func Computed[F any](field *F, value pulumi.Input) ComputedValue {
	return ComputedValue{field: field, value: value}
}

// Publish is outputs as the stack exports them: every field under its output name, the computed ones
// as the outputs given. Lists and maps are exported empty, never null, when the field is nil.
func Publish[T Outputs](outputs *T, computed ...ComputedValue) pulumi.Map {
	rv := reflect.ValueOf(outputs).Elem()
	m := make(pulumi.Map, rv.NumField())
	used := 0
	for _, f := range Fields[T]() {
		field := rv.Field(f.index)
		if c, ok := computedFor(field.Addr().Interface(), computed); ok {
			m[f.Name] = c
			used++
			continue
		}
		m[f.Name] = plainInput(field.Interface())
	}
	if used != len(computed) {
		panic(fmt.Sprintf("contract: a computed value given to Publish points into no field of this %T", outputs))
	}
	return m
}

func computedFor(field any, computed []ComputedValue) (pulumi.Input, bool) {
	for _, c := range computed {
		if c.field == field {
			return c.value, true
		}
	}
	return nil, false
}

// plainInput is a field's own value as an input of the matching Pulumi type.
func plainInput(v any) pulumi.Input {
	switch v := v.(type) {
	case string:
		return pulumi.String(v)
	case bool:
		return pulumi.Bool(v)
	case int:
		return pulumi.Int(v)
	case []string:
		return pulumi.ToStringArray(v) // never nil: [] for none
	case map[string]string:
		return pulumi.ToStringMap(v) // never nil: {} for none
	}
	// Anything else is exported as its JSON, which is also how a reader sees it.
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("contract: output of type %T is not JSON: %v", v, err))
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		panic(err)
	}
	if generic == nil {
		generic = map[string]any{}
	}
	return pulumi.Any(generic)
}

// LogBucket is one log bucket of SourceOutputs.LogBuckets as published: its values are the resources'
// outputs. Its keys are LogBucketOutputs' JSON names (a test publishes and parses it back).
func LogBucket(bucketArn, keyArn, keyAlias pulumi.StringInput) pulumi.StringMap {
	return pulumi.StringMap{"bucketArn": bucketArn, "keyArn": keyArn, "keyAlias": keyAlias}
}
