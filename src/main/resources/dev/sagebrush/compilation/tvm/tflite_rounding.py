# Imported by tvm_compile.py inside the TVM child: makes the integer averages of a converted TFLite model round as
# TFLite's kernels do. TVM 0.18's TFLite frontend lowers a quantized AVERAGE_POOL_2D to
# cast(avg_pool2d(cast(x, int32)), int8/uint8) and a quantized MEAN to requantize(mean(cast(x, int32))): both divide
# integers, which truncates, where TFLite (and Arm NN, the reference) round to nearest, half away from zero. The
# truncation shifts every pooled value down by up to one step, a bias the next layer sums over its whole fan-in, so
# an unpatched uint8 MobileNet-style head ends up to 5 quantization steps away from TFLite's. The rewrite computes the
# same average in float32 (exact for 8/16-bit inputs: |sum| < 2^24 for any window TFLite allows, and the division is
# correctly rounded) and rounds it, then hands the integer on exactly as before.
import tvm
from tvm import relay
from tvm.relay.dataflow_pattern import DFPatternCallback, is_op, rewrite, wildcard

SMALL_INTS = ("int8", "uint8", "int16")


class _RoundedAvgPool(DFPatternCallback):
    def __init__(self):
        super().__init__(require_type=True)
        self.x = wildcard()
        self.pool = is_op("nn.avg_pool2d")(is_op("cast")(self.x))
        self.pattern = is_op("cast")(self.pool)

    def callback(self, pre, post, node_map):
        x, pool = node_map[self.x][0], node_map[self.pool][0]
        if x.checked_type.dtype not in SMALL_INTS or pool.checked_type.dtype != "int32":
            return post
        a = pool.attrs
        avg = relay.nn.avg_pool2d(relay.cast(x, "float32"), pool_size=a.pool_size, strides=a.strides,
                                  dilation=a.dilation, padding=a.padding, layout=a.layout, out_layout=a.out_layout,
                                  ceil_mode=a.ceil_mode, count_include_pad=a.count_include_pad)
        return relay.cast(relay.round(avg), pre.checked_type.dtype)


class _RoundedMean(DFPatternCallback):
    def __init__(self):
        super().__init__(require_type=True)
        self.x = wildcard()
        self.pattern = is_op("mean")(is_op("cast")(self.x))

    def callback(self, pre, post, node_map):
        x = node_map[self.x][0]
        if x.checked_type.dtype not in SMALL_INTS or pre.checked_type.dtype != "int32":
            return post
        a = pre.attrs
        mean = relay.mean(relay.cast(x, "float32"), axis=a.axis, keepdims=a.keepdims, exclude=a.exclude)
        return relay.cast(relay.round(mean), "int32")


def apply(mod):
    """The module with every quantized average rounded to nearest; float models come back unchanged."""
    mod = relay.transform.InferType()(mod)
    func = rewrite([_RoundedAvgPool(), _RoundedMean()], mod["main"])
    mod.update_func(mod.get_global_var("main"), func)
    return relay.transform.InferType()(mod)
