package dev.sagebrush.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;

/**
 * Guards the table against typos and model drift: every operation resolves to a real SDK request class, and every
 * member path in the table exists in that class's sdkFields with a matching type.
 */
class TableMatchesSdkModelTest {
    /**
     * Members of the current service model (botocore 1.43.67) that the pinned SDK model classes (2.40.2) do not have
     * yet. The codec cannot decode them, so the validator skips them; they stay in the table so an SDK upgrade needs
     * no table change. Any other missing path is a typo and fails this test.
     */
    private static final Set<String> NEWER_THAN_SDK = Set.of("CreateTrainingJob ServerlessJobConfig.SequenceLength");

    private static final ConstraintTable TABLE = Validator.loadDefault().table();

    @Test
    void tableDeclaresAllTwentySevenOperations() {
        assertThat(TABLE.operations.keySet()).hasSize(27).contains(
                "CreateCompilationJob", "DescribeCompilationJob", "ListCompilationJobs", "StopCompilationJob",
                "DeleteCompilationJob", "CreateNotebookInstance", "DescribeNotebookInstance",
                "UpdateNotebookInstance", "ListNotebookInstances", "StartNotebookInstance", "StopNotebookInstance",
                "DeleteNotebookInstance", "CreatePresignedNotebookInstanceUrl",
                "CreateNotebookInstanceLifecycleConfig", "DescribeNotebookInstanceLifecycleConfig",
                "UpdateNotebookInstanceLifecycleConfig", "ListNotebookInstanceLifecycleConfigs",
                "DeleteNotebookInstanceLifecycleConfig", "CreateTrainingJob", "DescribeTrainingJob",
                "ListTrainingJobs", "StopTrainingJob", "Search", "GetSearchSuggestions", "AddTags", "ListTags",
                "DeleteTags");
    }

    @Test
    void everyTableMemberExistsInTheSdkModelWithTheSameType() throws Exception {
        Set<String> missing = new TreeSet<>();
        List<String> wrongType = new ArrayList<>();
        for (Map.Entry<String, MemberSpec> op : TABLE.operations.entrySet()) {
            Class<?> request = Class.forName("software.amazon.awssdk.services.sagemaker.model." + op.getKey() + "Request");
            SdkPojo builder = (SdkPojo) request.getMethod("builder").invoke(null);
            walk(op.getKey(), op.getValue(), builder.sdkFields(), missing, wrongType);
        }
        assertThat(wrongType).isEmpty();
        assertThat(missing).isEqualTo(new TreeSet<>(NEWER_THAN_SDK));
    }

    private static void walk(String op, MemberSpec struct, List<SdkField<?>> fields, Set<String> missing,
                             List<String> wrongType) {
        for (MemberSpec member : struct.shape().members) {
            SdkField<?> field = fields.stream().filter(f -> f.locationName().equals(member.name)).findFirst()
                    .orElse(null);
            if (field == null) {
                missing.add(op + " " + member.tablePath);
                continue;
            }
            descend(op, member, field, missing, wrongType);
        }
    }

    private static void descend(String op, MemberSpec spec, SdkField<?> field, Set<String> missing,
                                List<String> wrongType) {
        if (!sdkType(field.marshallingType()).equals(spec.type)) {
            wrongType.add(op + " " + spec.tablePath + ": table " + spec.type + ", SDK " + field.marshallingType());
            return;
        }
        switch (spec.type) {
            case STRUCTURE -> {
                if (spec.ref == null) { // a recursive reference was walked where it is declared
                    walk(op, spec, field.constructor().get().sdkFields(), missing, wrongType);
                }
            }
            case LIST -> {
                if (spec.element != null) {
                    descend(op, spec.element, field.getTrait(ListTrait.class).memberFieldInfo(), missing, wrongType);
                }
            }
            case MAP -> {
                if (spec.value != null) {
                    descend(op, spec.value, field.getTrait(MapTrait.class).valueFieldInfo(), missing, wrongType);
                }
            }
            default -> { }
        }
    }

    private static MemberSpec.Type sdkType(MarshallingType<?> type) {
        if (type == MarshallingType.STRING) return MemberSpec.Type.STRING;
        if (type == MarshallingType.INTEGER) return MemberSpec.Type.INTEGER;
        if (type == MarshallingType.LONG) return MemberSpec.Type.LONG;
        if (type == MarshallingType.BOOLEAN) return MemberSpec.Type.BOOLEAN;
        if (type == MarshallingType.INSTANT) return MemberSpec.Type.TIMESTAMP;
        if (type == MarshallingType.SDK_POJO) return MemberSpec.Type.STRUCTURE;
        if (type == MarshallingType.LIST) return MemberSpec.Type.LIST;
        if (type == MarshallingType.MAP) return MemberSpec.Type.MAP;
        throw new IllegalArgumentException("unexpected marshalling type " + type);
    }
}
