/*
 * Baseline for scripts/bench-probe: the least work any libavformat prober must do.
 * For each file argument: avformat_open_input + avformat_find_stream_info +
 * avformat_close_input, with logging silenced. Failures are counted, not fatal,
 * because the corpus deliberately contains broken files.
 *
 * Build: cc -O2 bench-probe-loop.c $(pkg-config --cflags --libs libavformat libavutil)
 */
#include <stdio.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

int main(int argc, char **argv)
{
    int opened = 0, failed = 0;
    av_log_set_level(AV_LOG_QUIET);
    for (int i = 1; i < argc; i++) {
        AVFormatContext *ctx = NULL;
        if (avformat_open_input(&ctx, argv[i], NULL, NULL) < 0) {
            failed++;
            continue;
        }
        if (avformat_find_stream_info(ctx, NULL) < 0)
            failed++;
        else
            opened++;
        avformat_close_input(&ctx);
    }
    printf("%d opened, %d failed\n", opened, failed);
    return 0;
}
