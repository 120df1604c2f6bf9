// mtif_halving.svh: halving(TH_SHIFT) is 1 when the thresholds halve (TH_SHIFT_i = i: the paper's 2, 1, 0.5,
// 0.25), the case the MT-IF modules run in closed form. Included inside a module that has the parameter K.
    function automatic integer halving(input [K*8-1:0] sh);
        integer n;
        begin
            halving = 1;
            for (n = 0; n < K; n = n + 1) if (sh[8*n +: 8] != 8'(n)) halving = 0;
        end
    endfunction
