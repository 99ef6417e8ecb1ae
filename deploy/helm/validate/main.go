// Command validate decodes every object of the YAML streams given as files (or stdin) into its
// Kubernetes API type, strictly: an unknown or misspelled field, a duplicate key, a value of the
// wrong type or an unknown apiVersion/kind fails, naming the document and the reason. It checks
// offline what the API server's strict field validation would refuse, so `make test` needs no cluster.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// The API groups a chart of ours may render; anything else is refused as an unknown kind.
var groups = []func(*runtime.Scheme) error{
	appsv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme, corev1.AddToScheme,
	networkingv1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme,
}

func main() {
	scheme := runtime.NewScheme()
	for _, add := range groups {
		if err := add(scheme); err != nil {
			fail("registering the API types: %v", err)
		}
	}
	names := os.Args[1:]
	if len(names) == 0 {
		names = []string{"-"}
	}
	count := 0
	for _, name := range names {
		n, err := validateStream(scheme, name)
		count += n
		if err != nil {
			fail("%v", err)
		}
	}
	if count == 0 {
		fail("no objects to validate")
	}
	fmt.Printf("%d objects valid\n", count)
}

// validateStream decodes every document of one YAML stream and returns how many objects it held.
func validateStream(scheme *runtime.Scheme, name string) (int, error) {
	var input io.Reader = os.Stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return 0, err
		}
		defer file.Close()
		input = file
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(input))
	count := 0
	for index := 0; ; index++ {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return count, nil
		}
		if err != nil {
			return count, fmt.Errorf("%s: document %d: %w", name, index, err)
		}
		if len(bytes.TrimSpace(stripComments(document))) == 0 {
			continue
		}
		what, err := validateDocument(scheme, document)
		if err != nil {
			return count, fmt.Errorf("%s: document %d (%s): %w", name, index, what, err)
		}
		count++
	}
}

// validateDocument strictly decodes one object into its registered type; it returns "Kind/name".
func validateDocument(scheme *runtime.Scheme, document []byte) (string, error) {
	data, err := yaml.YAMLToJSONStrict(document) // duplicate keys fail here
	if err != nil {
		return "?", err
	}
	var header struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, &header); err != nil {
		return "?", err
	}
	what := header.Kind + "/" + header.Metadata.Name
	if header.APIVersion == "" || header.Kind == "" || header.Metadata.Name == "" {
		return what, errors.New("apiVersion, kind and metadata.name are required")
	}
	kind := schema.FromAPIVersionAndKind(header.APIVersion, header.Kind)
	object, err := scheme.New(kind)
	if err != nil {
		return what, fmt.Errorf("unknown apiVersion/kind %s: %w", kind, err)
	}
	// Case-sensitive field names, unknown and duplicate fields refused (what the API server's
	// fieldValidation=Strict does); quantities, int-or-strings and times are parsed by their types.
	strict, err := kjson.UnmarshalStrict(data, object, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
	if err != nil {
		return what, err
	}
	if len(strict) > 0 {
		return what, errors.Join(strict...)
	}
	return what, nil
}

// stripComments drops comment-only lines, so a document of comments alone counts as empty.
func stripComments(document []byte) []byte {
	var kept [][]byte
	for _, line := range bytes.Split(document, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			kept = append(kept, line)
		}
	}
	return bytes.Join(kept, []byte("\n"))
}

func fail(format string, arguments ...any) {
	fmt.Fprintf(os.Stderr, "validate: "+format+"\n", arguments...)
	os.Exit(1)
}
