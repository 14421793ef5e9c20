package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

/** One Prometheus text-format scrape, read the way Prometheus reads it: sample lines, name{labels} value. */
record Scrape(String text) {

    static Scrape of(Api api) {
        Api.Response response = api.get(null, "/actuator/prometheus");
        assertThat(response.status()).as("GET /actuator/prometheus").isEqualTo(200);
        return new Scrape(response.text());
    }

    /** Sum of the samples named {@code name} whose labels include all of {@code labels}; 0 when none. */
    double sum(String name, Map<String, String> labels) {
        return samples(name, labels)
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    boolean has(String name, Map<String, String> labels) {
        return samples(name, labels).findAny().isPresent();
    }

    private Stream<String> samples(String name, Map<String, String> labels) {
        return text.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> labels.entrySet().stream()
                        .allMatch(l -> line.contains(l.getKey() + "=\"" + l.getValue() + "\"")));
    }

    double sum(String name) {
        return sum(name, Map.of());
    }

    boolean has(String name) {
        return has(name, Map.of());
    }

    /** Helps a failed assertion say what was there. */
    String namesLike(String prefix) {
        return String.join("\n", Arrays.stream(text.split("\n"))
                .filter(l -> l.startsWith(prefix)).limit(60).toList());
    }
}
